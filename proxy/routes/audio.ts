import type { Request, Response } from 'express';
import { GatewayError } from '../errors.js';
import type { GatewayContext } from '../server/gateway-context.js';
import { readJsonBody } from '../server/read-body.js';
import { multipartField, readMultipart, uploadBody } from '../server/read-multipart.js';
import { trackRequest, type RequestTracker } from '../usage/request-tracker.js';
import { beginModelCall } from '../pipeline/begin-call.js';
import { relayToOpenAI } from './relay.js';
import { modelOnlySchema, validate } from './validation.js';

/** POST /v1/audio/speech: binary audio streamed back with the upstream's content type. */
export const speech = (gateway: GatewayContext) => async (request: Request, response: Response) => {
  const tracker = trackRequest(gateway, request, response, '/v1/audio/speech');
  const body = await readJsonBody(request, gateway.limits.jsonBytes);
  validate(modelOnlySchema, body);
  const call = beginModelCall(gateway, response, tracker, body.model);
  if (!call.adapter.relays.has('openai-endpoints')) throw GatewayError.invalidRequest(`Provider "${call.resolved.provider.id}" offers no speech.`, 'model', 'unsupported_endpoint');
  tracker.observation.characters = typeof body.input === 'string' ? body.input.length : 0;
  await relayToOpenAI({ ...call, response, tracker, path: '/audio/speech', body: JSON.stringify({ ...body, model: call.resolved.upstreamModel }), contentType: 'application/json' });
};

interface TranscriptionAnswer {
  duration?: number;
  usage?: { type?: string; seconds?: number; input_tokens?: number; output_tokens?: number; total_tokens?: number };
}

const observeTranscription = (tracker: RequestTracker) => (answer: unknown) => {
  const transcription = answer as TranscriptionAnswer;
  if (transcription.usage?.type === 'duration' && typeof transcription.usage.seconds === 'number') tracker.observation.audioSeconds = transcription.usage.seconds;
  else if (typeof transcription.duration === 'number') tracker.observation.audioSeconds = transcription.duration;
  if (transcription.usage?.type === 'tokens') tracker.usage({ promptTokens: transcription.usage.input_tokens ?? 0, completionTokens: transcription.usage.output_tokens ?? 0 });
};

/** POST /v1/audio/transcriptions and /v1/audio/translations (multipart; every response_format,
 * text, srt and vtt streamed back as they come, SSE when `stream=true`). */
export const transcription = (gateway: GatewayContext, kind: 'transcriptions' | 'translations') => async (request: Request, response: Response) => {
  const tracker = trackRequest(gateway, request, response, `/v1/audio/${kind}`);
  const upload = await readMultipart(request, gateway.limits.uploadBytes);
  const stream = multipartField(upload, 'stream') === 'true';
  const call = beginModelCall(gateway, response, tracker, multipartField(upload, 'model') ?? '', stream);
  if (!call.adapter.relays.has('openai-endpoints')) throw GatewayError.invalidRequest(`Provider "${call.resolved.provider.id}" offers no audio ${kind}.`, 'model', 'unsupported_endpoint');
  await relayToOpenAI({ ...call, response, tracker, path: `/audio/${kind}`, ...uploadBody(upload, { model: call.resolved.upstreamModel }), observeJson: observeTranscription(tracker) });
};
