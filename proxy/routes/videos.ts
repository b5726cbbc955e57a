import type { Request, Response } from 'express';
import { GatewayError } from '../errors.js';
import type { ResolvedModel } from '../providers/registry.js';
import type { GatewayContext } from '../server/gateway-context.js';
import { readJsonBody } from '../server/read-body.js';
import { multipartField, readMultipart, uploadBody, type MultipartBody } from '../server/read-multipart.js';
import { clientGoneSignal, trackRequest } from '../usage/request-tracker.js';
import { beginModelCall } from '../pipeline/begin-call.js';
import { relayToOpenAI } from './relay.js';

const MAX_REMEMBERED_JOBS = 10_000;

/** POST /v1/videos: creates an asynchronous job (JSON, or multipart with an input reference). */
export const createVideo = (gateway: GatewayContext) => async (request: Request, response: Response) => {
  const tracker = trackRequest(gateway, request, response, '/v1/videos');
  const multipart = /^multipart\//i.test(request.headers['content-type'] ?? '');
  const upload: MultipartBody | undefined = multipart ? await readMultipart(request, gateway.limits.uploadBytes) : undefined;
  const json = upload ? undefined : await readJsonBody(request, gateway.limits.jsonBytes);
  const model = upload ? multipartField(upload, 'model') : json?.model;
  const call = beginModelCall(gateway, response, tracker, model ?? '');
  if (!call.adapter.relays.has('openai-endpoints')) throw GatewayError.invalidRequest(`Provider "${call.resolved.provider.id}" offers no video generation.`, 'model', 'unsupported_endpoint');
  const seconds = Number(upload ? multipartField(upload, 'seconds') : json?.seconds);
  await relayToOpenAI({
    ...call,
    response,
    tracker,
    path: '/videos',
    ...(upload ? uploadBody(upload, { model: call.resolved.upstreamModel }) : { body: JSON.stringify({ ...json, model: call.resolved.upstreamModel }), contentType: 'application/json' }),
    observeJson: (answer) => {
      const job = answer as { id?: string; seconds?: string | number };
      if (typeof job.id === 'string') rememberJob(gateway, job.id, call.resolved.requestedModel);
      // A job is charged for what it asked for, when it is accepted.
      tracker.observation.videoSeconds = Number(job.seconds ?? seconds) || 0;
    },
  });
};

const rememberJob = (gateway: GatewayContext, id: string, model: string): void => {
  if (gateway.videoOwners.size >= MAX_REMEMBERED_JOBS) gateway.videoOwners.delete(gateway.videoOwners.keys().next().value as string);
  gateway.videoOwners.set(id, model);
};

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
  const tracker = trackRequest(gateway, request, response, part === 'content' ? '/v1/videos/content' : '/v1/videos/status');
  await relayToOpenAI({
    resolved,
    response,
    tracker,
    signal: clientGoneSignal(response),
    method: 'GET',
    path: `/videos/${id}${part === 'content' ? '/content' : ''}${query}`,
  });
};
