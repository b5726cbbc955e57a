import { forwardToOpenAI } from '../adapters/openai-compatible/forward.js';
import { GatewayError } from '../errors.js';
import type { GatewayContext } from '../server/gateway-context.js';
import { beginInProcessCall, finishFailed, type InProcessOptions } from './model-call.js';

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

/** `POST /v1/audio/speech` in-process: the whole audio, with its ledger record (characters). */
export const synthesizeSpeech = async (gateway: GatewayContext, request: SpeechRequest, options: InProcessOptions): Promise<SpeechAudio> => {
  const { tracker, resolved, adapter } = await beginInProcessCall(gateway, '/v1/audio/speech', request.model, options);
  let result: SpeechAudio;
  try {
    if (adapter.dialect !== 'openai') throw GatewayError.invalidRequest(`Provider "${resolved.provider.id}" offers no speech.`, 'model', 'unsupported_endpoint');
    tracker.observation.characters = request.input.length;
    const body = { voice: 'alloy', response_format: 'mp3', ...request, model: resolved.upstreamModel };
    const response = await forwardToOpenAI(resolved.provider, { path: '/audio/speech', body: JSON.stringify(body), contentType: 'application/json', signal: options.signal });
    const audio = Buffer.from(await response.body.arrayBuffer());
    result = { audio, contentType: String(response.headers['content-type'] ?? 'audio/mpeg'), requestId: tracker.requestId };
  } catch (error) {
    throw finishFailed(tracker, error);
  }
  tracker.firstToken();
  tracker.finish(200);
  return result;
};
