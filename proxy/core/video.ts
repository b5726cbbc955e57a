import { setTimeout as sleep } from 'node:timers/promises';
import { forwardToOpenAI } from '../adapters/openai-compatible/forward.js';
import { GatewayError } from '../errors.js';
import type { GatewayContext } from '../server/gateway-context.js';
import type { Dispatcher } from 'undici';
import { beginInProcessCall, finishFailed, type InProcessOptions, type ModelCall } from '../pipeline/begin-call.js';
import type { UpstreamResponse } from '../upstream/http-client.js';
import { callEndpoint } from '../usage/call-endpoint.js';

export const VIDEO_ENDPOINT = callEndpoint('/v1/videos', 'generate_content');

export interface VideoRequest {
  model: string;
  prompt: string;
  seconds?: string;
  size?: string;
}

export interface VideoJob {
  id: string;
  status: string;
  progress: number;
}

export interface VideoResult {
  id: string;
  video: Buffer;
  contentType: string;
}

export interface VideoOptions extends InProcessOptions {
  onProgress?: (job: VideoJob) => void;
  pollIntervalMs?: number;
  /** Gives up on a job that has not finished by then. */
  timeoutMs?: number;
}

interface JobAnswer {
  id?: string;
  status?: string;
  progress?: number;
  seconds?: string | number;
  error?: { message?: string };
}

const MAX_REMEMBERED_JOBS = 10_000;

/** Which model made a job, so polls and downloads reach its provider (bounded: oldest first out). */
const rememberJob = (gateway: GatewayContext, id: string, model: string): void => {
  if (gateway.videoOwners.size >= MAX_REMEMBERED_JOBS) gateway.videoOwners.delete(gateway.videoOwners.keys().next().value as string);
  gateway.videoOwners.set(id, model);
};

/** `POST /v1/videos` for an admitted call (JSON, or a multipart upload with an input reference),
 * for the HTTP route and the chat view alike. */
export const requestVideoJob = (call: ModelCall, upload: { body: Dispatcher.DispatchOptions['body']; contentType?: string }): Promise<UpstreamResponse> => {
  if (!call.adapter.relays.has('openai-endpoints')) throw GatewayError.invalidRequest(`Provider "${call.resolved.provider.id}" offers no video generation.`, 'model', 'unsupported_endpoint');
  return forwardToOpenAI(call.resolved.provider, { path: '/videos', body: upload.body, contentType: upload.contentType, signal: call.client.clientGoneSignal() });
};

/** A created job is remembered and charged for what it asked for, when it is accepted. */
export const observeVideoJob = (gateway: GatewayContext, call: ModelCall, answer: unknown, requestedSeconds: unknown): void => {
  const job = answer as JobAnswer;
  if (typeof job.id === 'string' && /^[A-Za-z0-9_-]{1,200}$/.test(job.id)) rememberJob(gateway, job.id, call.resolved.requestedModel);
  call.tracker.observation.videoSeconds = Number(job.seconds ?? requestedSeconds) || 0;
};

const asJob = (answer: JobAnswer): VideoJob => ({ id: String(answer.id ?? ''), status: String(answer.status ?? 'queued'), progress: Number(answer.progress ?? 0) || 0 });

/** `POST /v1/videos`, then polls the job until it completes and downloads its content. Only the
 * creation is billed (a job is charged for what it asked for, as the HTTP route does). */
export const generateVideo = async (gateway: GatewayContext, request: VideoRequest, options: VideoOptions): Promise<VideoResult> => {
  const call = await beginInProcessCall(gateway, VIDEO_ENDPOINT, request.model, options);
  const { tracker, resolved } = call;
  let job: VideoJob;
  try {
    const created = await requestVideoJob(call, { body: JSON.stringify({ ...request, model: resolved.upstreamModel }), contentType: 'application/json' });
    const answer = (await created.body.json()) as JobAnswer;
    tracker.firstToken();
    observeVideoJob(gateway, call, answer, request.seconds);
    job = asJob(answer);
    if (!/^[A-Za-z0-9_-]{1,200}$/.test(job.id)) throw GatewayError.badUpstreamBody(resolved.provider.id, 'a video job without a usable id');
  } catch (error) {
    throw finishFailed(tracker, error);
  }
  tracker.finish(200);
  options.onProgress?.(job);
  const deadline = Date.now() + (options.timeoutMs ?? 30 * 60_000);
  while (job.status !== 'completed') {
    if (job.status === 'failed') throw new GatewayError(502, `The video job ${job.id} failed.`, { type: 'upstream_error', code: 'video_failed' });
    if (Date.now() > deadline) throw new GatewayError(504, `The video job ${job.id} did not finish in time.`, { type: 'timeout_error', code: 'video_timeout' });
    await sleep(options.pollIntervalMs ?? 5_000, undefined, { signal: options.signal });
    const polled = await forwardToOpenAI(resolved.provider, { method: 'GET', path: `/videos/${job.id}`, signal: options.signal });
    const answer = (await polled.body.json()) as JobAnswer;
    job = { ...asJob(answer), id: job.id };
    if (answer.status === 'failed' && answer.error?.message) throw new GatewayError(502, `The video job failed: ${answer.error.message}`, { type: 'upstream_error', code: 'video_failed' });
    options.onProgress?.(job);
  }
  const content = await forwardToOpenAI(resolved.provider, { method: 'GET', path: `/videos/${job.id}/content`, signal: options.signal });
  return { id: job.id, video: Buffer.from(await content.body.arrayBuffer()), contentType: String(content.headers['content-type'] ?? 'video/mp4') };
};
