import type { IncomingHttpHeaders } from 'node:http';
import type { Dispatcher } from 'undici';
import { dispatchOptions, upstreamAgent, withUpstreamPolicy, type UpstreamRequest } from './http-client.js';
import { UpstreamChunks } from './upstream-chunks.js';

export interface OpenedUpstream {
  statusCode: number;
  headers: IncomingHttpHeaders;
  body: UpstreamChunks;
}

/** Like `sendUpstream` (same pool, timeouts, retries and errors), for the chat fast lane: the
 * answer's body is handed over chunk by chunk from undici's dispatch callbacks (see UpstreamChunks)
 * instead of through a Readable. */
export const openUpstream = (upstream: UpstreamRequest): Promise<OpenedUpstream> => withUpstreamPolicy(upstream, () => dispatchOnce(upstream));

const dispatchOnce = (upstream: UpstreamRequest): Promise<OpenedUpstream> =>
  new Promise<OpenedUpstream>((resolve, reject) => {
    const { signal } = upstream;
    if (signal.aborted) {
      reject(abortError(signal));
      return;
    }
    let controller: Dispatcher.DispatchController | undefined;
    let body: UpstreamChunks | undefined;
    const onAbort = () => controller?.abort(abortError(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    const settled = (error?: Error) => {
      signal.removeEventListener('abort', onAbort);
      if (body) body.end(error);
      else reject(error ?? new Error('The upstream ended its answer before its headers.'));
    };
    upstreamAgent().dispatch(dispatchOptions(upstream), {
      onRequestStart(started) {
        controller = started;
        if (signal.aborted) started.abort(abortError(signal));
      },
      onResponseStart(started, statusCode, headers) {
        // 1xx answers (100 Continue) come before the real one.
        if (statusCode < 200 || body) return;
        body = new UpstreamChunks(started);
        resolve({ statusCode, headers, body });
      },
      onResponseData(_controller, chunk) {
        body?.deliver(chunk);
      },
      onResponseEnd() {
        settled();
      },
      onResponseError(_controller, error) {
        settled(error);
      },
    });
  });

/** What a route sees when its client went away: an AbortError, which it ignores. */
const abortError = (signal: AbortSignal): Error =>
  signal.reason instanceof Error ? signal.reason : new DOMException('The client went away.', 'AbortError');
