import { FormData } from 'undici';
import { forwardToOpenAI } from '../adapters/openai-compatible/forward.js';
import { GatewayError } from '../errors.js';
import type { GatewayContext } from '../server/gateway-context.js';
import { beginInProcessCall, finishFailed, type InProcessOptions } from './model-call.js';

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

/** `POST /v1/audio/transcriptions` in-process (JSON answer), with its ledger record. */
export const transcribeAudio = async (gateway: GatewayContext, request: TranscriptionRequest, options: InProcessOptions): Promise<Transcription> => {
  const { tracker, resolved, adapter } = await beginInProcessCall(gateway, '/v1/audio/transcriptions', request.model, options);
  let answer: TranscriptionAnswer;
  try {
    if (adapter.dialect !== 'openai') throw GatewayError.invalidRequest(`Provider "${resolved.provider.id}" offers no audio transcriptions.`, 'model', 'unsupported_endpoint');
    const form = new FormData();
    form.append('model', resolved.upstreamModel);
    form.append('response_format', 'json');
    if (request.language) form.append('language', request.language);
    form.append('file', new Blob([new Uint8Array(request.audio)], { type: request.mimeType }), request.filename);
    const response = await forwardToOpenAI(resolved.provider, { path: '/audio/transcriptions', body: form, signal: options.signal });
    answer = (await response.body.json().catch(() => {
      throw new GatewayError(502, `The upstream provider "${resolved.provider.id}" sent a body that is not JSON.`, { type: 'upstream_error', code: 'bad_upstream_response' });
    })) as TranscriptionAnswer;
  } catch (error) {
    throw finishFailed(tracker, error);
  }
  tracker.firstToken();
  if (answer.usage?.type === 'duration' && typeof answer.usage.seconds === 'number') tracker.observation.audioSeconds = answer.usage.seconds;
  else if (typeof answer.duration === 'number') tracker.observation.audioSeconds = answer.duration;
  if (answer.usage?.type === 'tokens') tracker.usage({ promptTokens: answer.usage.input_tokens ?? 0, completionTokens: answer.usage.output_tokens ?? 0 });
  tracker.finish(200);
  return { text: typeof answer.text === 'string' ? answer.text : '', requestId: tracker.requestId };
};
