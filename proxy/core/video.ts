import { setTimeout as sleep } from 'node:timers/promises';
import { forwardToOpenAI } from '../adapters/openai-compatible/forward.js';
import { GatewayError } from '../errors.js';
import type { GatewayContext } from '../server/gateway-context.js';
import { beginInProcessCall, finishFailed, type InProcessOptions } from './model-call.js';

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

const asJob = (answer: JobAnswer): VideoJob => ({ id: String(answer.id ?? ''), status: String(answer.status ?? 'queued'), progress: Number(answer.progress ?? 0) || 0 });

/** `POST /v1/videos`, then polls the job until it completes and downloads its content. Only the
 * creation is billed (a job is charged for what it asked for, as the HTTP route does). */
export const generateVideo = async (gateway: GatewayContext, request: VideoRequest, options: VideoOptions): Promise<VideoResult> => {
  const { tracker, resolved, adapter } = await beginInProcessCall(gateway, '/v1/videos', request.model, options);
  let job: VideoJob;
  try {
    if (adapter.dialect !== 'openai') throw GatewayError.invalidRequest(`Provider "${resolved.provider.id}" offers no video generation.`, 'model', 'unsupported_endpoint');
    const created = await forwardToOpenAI(resolved.provider, { path: '/videos', body: JSON.stringify({ ...request, model: resolved.upstreamModel }), contentType: 'application/json', signal: options.signal });
    const answer = (await created.body.json()) as JobAnswer;
    tracker.firstToken();
    tracker.observation.videoSeconds = Number(answer.seconds ?? request.seconds) || 0;
    job = asJob(answer);
    if (!/^[A-Za-z0-9_-]{1,200}$/.test(job.id)) throw new GatewayError(502, 'The upstream answered without a usable video id.', { type: 'upstream_error', code: 'bad_upstream_response' });
    gateway.videoOwners.set(job.id, resolved.requestedModel);
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
