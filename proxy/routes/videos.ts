import type { Request, Response } from 'express';
import { GatewayError } from '../errors.js';
import type { ResolvedModel } from '../providers/registry.js';
import type { GatewayContext } from '../server/gateway-context.js';
import { readJsonBody } from '../server/read-body.js';
import { multipartField, readMultipart, uploadBody, type MultipartBody } from '../server/read-multipart.js';
import { trackRequest } from '../usage/request-tracker.js';
import { beginModelCall } from '../pipeline/begin-call.js';
import { observeVideoJob, requestVideoJob, VIDEO_ENDPOINT } from '../core/video.js';
import { relayAnswer, relayToOpenAI } from './relay.js';
import { callEndpoint } from '../usage/call-endpoint.js';

/** POST /v1/videos: the same call as the chat view's (core/video.ts), the job's JSON relayed. */
export const createVideo = (gateway: GatewayContext) => async (request: Request, response: Response) => {
  const tracker = trackRequest(gateway, request, response, VIDEO_ENDPOINT);
  const multipart = /^multipart\//i.test(request.headers['content-type'] ?? '');
  const upload: MultipartBody | undefined = multipart ? await readMultipart(request, gateway.limits.uploadBytes) : undefined;
  const json = upload ? undefined : await readJsonBody(request, gateway.limits.jsonBytes);
  const call = await beginModelCall(gateway, tracker, (upload ? multipartField(upload, 'model') : json?.model) ?? '');
  const seconds = upload ? multipartField(upload, 'seconds') : json?.seconds;
  const job = await requestVideoJob(call, upload ? uploadBody(upload, { model: call.resolved.upstreamModel }) : { body: JSON.stringify({ ...json, model: call.resolved.upstreamModel }), contentType: 'application/json' });
  await relayAnswer(job, { ...call, response, observeJson: (answer) => observeVideoJob(gateway, call, answer, seconds) });
};

/** Polls and downloads are not billed; they are tracked as the generation they belong to. */
const VIDEO_JOB_ENDPOINTS = {
  status: callEndpoint('/v1/videos/status', 'generate_content'),
  content: callEndpoint('/v1/videos/content', 'generate_content'),
} as const;

/** The provider that created a job; jobs this process did not see go to the default provider. */
const jobOwner = (gateway: GatewayContext, id: string): ResolvedModel => {
  const model = gateway.videoOwners.get(id);
  if (model) return gateway.registry.resolve(model, () => true);
  const provider = gateway.registry.get(gateway.registry.defaultProviderId);
  if (!provider) throw GatewayError.notFound(`No provider knows the video ${id}.`);
  return { provider, upstreamModel: '', requestedModel: '' };
};

/** GET /v1/videos/{id} and GET /v1/videos/{id}/content: polls and downloads, not billed again. */
export const videoJob = (gateway: GatewayContext, part: 'status' | 'content') => async (request: Request, response: Response) => {
  const id = String(request.params.id ?? '');
  if (!/^[A-Za-z0-9_-]{1,200}$/.test(id)) throw GatewayError.invalidRequest('Invalid video id.', 'id');
  const resolved = jobOwner(gateway, id);
  gateway.registry.requireKey(resolved.provider);
  const query = part === 'content' && typeof request.query.variant === 'string' ? `?variant=${encodeURIComponent(request.query.variant)}` : '';
  const tracker = trackRequest(gateway, request, response, VIDEO_JOB_ENDPOINTS[part]);
  await relayToOpenAI({
    resolved,
    response,
    tracker,
    client: tracker,
    method: 'GET',
    path: `/videos/${id}${part === 'content' ? '/content' : ''}${query}`,
  });
};
