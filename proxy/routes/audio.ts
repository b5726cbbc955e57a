import type { Request, Response } from 'express';
import { requestSpeech, SPEECH_ENDPOINT } from '../core/speech.js';
import { observeTranscription, observeTranscriptionEvent, requestTranscription, TRANSCRIPTION_ENDPOINTS } from '../core/transcribe.js';
import { beginModelCall } from '../pipeline/begin-call.js';
import type { GatewayContext } from '../server/gateway-context.js';
import { readJsonBody } from '../server/read-body.js';
import { multipartField, readMultipart, uploadBody } from '../server/read-multipart.js';
import { trackRequest } from '../usage/request-tracker.js';
import { relayAnswer } from './relay.js';
import { modelOnlySchema, validate } from './validation.js';

/** POST /v1/audio/speech: the same call as the chat view's (core/speech.ts), its binary audio
 * streamed back with the upstream's content type. */
export const speech = (gateway: GatewayContext) => async (request: Request, response: Response) => {
  const tracker = trackRequest(gateway, request, response, SPEECH_ENDPOINT);
  const body = await readJsonBody(request, gateway.limits.jsonBytes);
  validate(modelOnlySchema, body);
  const call = await beginModelCall(gateway, tracker, body.model);
  await relayAnswer(await requestSpeech(call, body), { ...call, response });
};

/** POST /v1/audio/transcriptions and /v1/audio/translations (multipart; every response_format,
 * text, srt and vtt streamed back as they come, SSE when `stream=true`). */
export const transcription = (gateway: GatewayContext, kind: 'transcriptions' | 'translations') => async (request: Request, response: Response) => {
  const tracker = trackRequest(gateway, request, response, TRANSCRIPTION_ENDPOINTS[kind]);
  const upload = await readMultipart(request, gateway.limits.uploadBytes);
  const stream = multipartField(upload, 'stream') === 'true';
  const call = await beginModelCall(gateway, tracker, multipartField(upload, 'model') ?? '', stream);
  const answer = await requestTranscription(call, kind, uploadBody(upload, { model: call.resolved.upstreamModel }));
  await relayAnswer(answer, { ...call, response, observeJson: (json) => observeTranscription(tracker, json), observeEvent: (event) => observeTranscriptionEvent(tracker, event) });
};
