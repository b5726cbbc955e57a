import { forwardToOpenAI } from '../adapters/openai-compatible/forward.js';
import { GatewayError } from '../errors.js';
import { beginInProcessCall, finishFailed, type InProcessOptions, type ModelCall } from '../pipeline/begin-call.js';
import type { GatewayContext } from '../server/gateway-context.js';
import type { UpstreamResponse } from '../upstream/http-client.js';
import { callEndpoint } from '../usage/call-endpoint.js';

export const SPEECH_ENDPOINT = callEndpoint('/v1/audio/speech', 'generate_content');

export interface SpeechRequest {
  model: string;
  input: string;
  voice?: string;
  response_format?: 'mp3' | 'opus' | 'aac' | 'flac' | 'wav' | 'pcm';
}

export interface SpeechAudio {
  audio: Buffer;
  contentType: string;
  requestId: string;
}

/** `POST /v1/audio/speech` for an admitted call, whoever reads the audio: the HTTP route streams it
 * to its client, the chat view takes it whole. Billed by characters. */
export const requestSpeech = (call: ModelCall, body: Record<string, unknown>): Promise<UpstreamResponse> => {
  if (!call.adapter.relays.has('openai-endpoints')) throw GatewayError.invalidRequest(`Provider "${call.resolved.provider.id}" offers no speech.`, 'model', 'unsupported_endpoint');
  call.tracker.observation.characters = typeof body.input === 'string' ? body.input.length : 0;
  return forwardToOpenAI(call.resolved.provider, { path: '/audio/speech', body: JSON.stringify(Object.assign({}, body, { model: call.resolved.upstreamModel })), contentType: 'application/json', signal: call.client.clientGoneSignal() });
};

/** The in-process sink: the whole audio, with its ledger record. */
export const synthesizeSpeech = async (gateway: GatewayContext, request: SpeechRequest, options: InProcessOptions): Promise<SpeechAudio> => {
  const call = await beginInProcessCall(gateway, SPEECH_ENDPOINT, request.model, options);
  let result: SpeechAudio;
  try {
    const response = await requestSpeech(call, { voice: 'alloy', response_format: 'mp3', ...request });
    const audio = Buffer.from(await response.body.arrayBuffer());
    result = { audio, contentType: String(response.headers['content-type'] ?? 'audio/mpeg'), requestId: call.tracker.requestId };
  } catch (error) {
    throw finishFailed(call.tracker, error);
  }
  call.tracker.firstToken();
  call.tracker.finish(200);
  return result;
};
