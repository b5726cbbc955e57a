import { FormData } from 'undici';
import type { Dispatcher } from 'undici';
import { forwardToOpenAI } from '../adapters/openai-compatible/forward.js';
import { GatewayError } from '../errors.js';
import { beginInProcessCall, finishFailed, type InProcessOptions, type ModelCall } from '../pipeline/begin-call.js';
import type { GatewayContext } from '../server/gateway-context.js';
import type { UpstreamResponse } from '../upstream/http-client.js';
import type { RequestTracker } from '../usage/request-tracker.js';
import { callEndpoint } from '../usage/call-endpoint.js';

export const TRANSCRIPTION_ENDPOINTS = {
  transcriptions: callEndpoint('/v1/audio/transcriptions', 'generate_content'),
  translations: callEndpoint('/v1/audio/translations', 'generate_content'),
} as const;

export interface TranscriptionRequest {
  model: string;
  audio: Uint8Array;
  filename: string;
  mimeType: string;
  language?: string;
}

export interface Transcription {
  text: string;
  requestId: string;
}

interface TranscriptionAnswer {
  text?: string;
  duration?: number;
  usage?: { type?: string; seconds?: number; input_tokens?: number; output_tokens?: number };
}

/** What a transcription costs, read from its JSON answer: seconds of audio, or tokens. */
export const observeTranscription = (tracker: RequestTracker, answer: unknown): void => {
  const transcription = answer as TranscriptionAnswer;
  if (transcription.usage?.type === 'duration' && typeof transcription.usage.seconds === 'number') tracker.observation.audioSeconds = transcription.usage.seconds;
  else if (typeof transcription.duration === 'number') tracker.observation.audioSeconds = transcription.duration;
  if (transcription.usage?.type === 'tokens') tracker.usage({ promptTokens: transcription.usage.input_tokens ?? 0, completionTokens: transcription.usage.output_tokens ?? 0 });
};

/** A streamed transcription's events: `transcript.text.done` carries the usage of the whole, in
 * tokens (without the `type` a JSON answer's usage has). */
export const observeTranscriptionEvent = (tracker: RequestTracker, event: unknown): void => {
  const done = event as { type?: unknown; usage?: TranscriptionAnswer['usage'] };
  if (done.type === 'transcript.text.done' && done.usage) observeTranscription(tracker, { usage: { type: 'tokens', ...done.usage } });
};

/** `POST /v1/audio/transcriptions` or `/translations` for an admitted call, with its upload
 * (multipart) already built: the HTTP route relays the answer, the chat view reads its text. */
export const requestTranscription = (call: ModelCall, kind: 'transcriptions' | 'translations', upload: { body: Dispatcher.DispatchOptions['body']; contentType?: string }): Promise<UpstreamResponse> => {
  if (!call.adapter.relays.has('openai-endpoints')) throw GatewayError.invalidRequest(`Provider "${call.resolved.provider.id}" offers no audio ${kind}.`, 'model', 'unsupported_endpoint');
  return forwardToOpenAI(call.resolved.provider, { path: `/audio/${kind}`, body: upload.body, contentType: upload.contentType, signal: call.client.clientGoneSignal() });
};

/** The in-process sink: the text of a JSON transcription, with its ledger record. */
export const transcribeAudio = async (gateway: GatewayContext, request: TranscriptionRequest, options: InProcessOptions): Promise<Transcription> => {
  const call = await beginInProcessCall(gateway, TRANSCRIPTION_ENDPOINTS.transcriptions, request.model, options);
  let answer: TranscriptionAnswer;
  try {
    const form = new FormData();
    form.append('model', call.resolved.upstreamModel);
    form.append('response_format', 'json');
    if (request.language) form.append('language', request.language);
    form.append('file', new Blob([new Uint8Array(request.audio)], { type: request.mimeType }), request.filename);
    const response = await requestTranscription(call, 'transcriptions', { body: form });
    answer = (await response.body.json().catch(() => {
      throw GatewayError.badUpstreamBody(call.resolved.provider.id, 'a body that is not JSON');
    })) as TranscriptionAnswer;
  } catch (error) {
    throw finishFailed(call.tracker, error);
  }
  call.tracker.firstToken();
  observeTranscription(call.tracker, answer);
  call.tracker.finish(200);
  return { text: typeof answer.text === 'string' ? answer.text : '', requestId: call.tracker.requestId };
};
