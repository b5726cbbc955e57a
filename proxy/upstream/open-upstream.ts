import type { IncomingHttpHeaders } from 'node:http';
import type { Dispatcher } from 'undici';
import type { ClientWatch } from './client-watch.js';
import { dispatchOptions, upstreamAgent, withUpstreamPolicy, type UpstreamRequest } from './http-client.js';
import { UpstreamChunks } from './upstream-chunks.js';

export interface OpenedUpstream {
  statusCode: number;
  headers: IncomingHttpHeaders;
  body: UpstreamChunks;
}

/** An upstream request of a model call: its client is watched through a ClientWatch. */
export type OpenRequest = Omit<UpstreamRequest, 'signal'> & {
  client: ClientWatch;
  /** Named in the error of a whole read that fails (upstream-chunks.ts). */
  providerId?: string;
};

/** Like `sendUpstream` (same pool, timeouts, retries and errors), for model calls: the
 * answer's body is handed over chunk by chunk from undici's dispatch callbacks (see UpstreamChunks)
 * instead of through a Readable. */
export const openUpstream = (upstream: OpenRequest): Promise<OpenedUpstream> =>
  withUpstreamPolicy(upstream, () => upstream.client.clientGoneSignal(), () => dispatchOnce(upstream));

const dispatchOnce = (upstream: OpenRequest): Promise<OpenedUpstream> =>
  new Promise<OpenedUpstream>((resolve, reject) => {
    const { client } = upstream;
    if (client.clientGone) {
      reject(clientGoneError());
      return;
    }
    let controller: Dispatcher.DispatchController | undefined;
    let body: UpstreamChunks | undefined;
    // Replaced once the client is watched (below); an answer that ends stops watching it.
    let stopWatching = (): void => undefined;
    const settled = (error?: Error) => {
      stopWatching();
      if (body) body.end(error);
      else reject(error ?? new Error('The upstream ended its answer before its headers.'));
    };
    upstreamAgent().dispatch(dispatchOptions(upstream), {
      onRequestStart(started) {
        controller = started;
        if (client.clientGone) started.abort(clientGoneError());
      },
      onResponseStart(started, statusCode, headers) {
        // 1xx answers (100 Continue) come before the real one.
        if (statusCode < 200 || body) return;
        body = new UpstreamChunks(started, Number(headers['content-length'] ?? 0) || 0, upstream.providerId);
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
    // Watched once the request is on its way (nothing can close the response before this line runs).
    // undici ignores an abort that comes after the request completed.
    stopWatching = client.whenClientGone(() => controller?.abort(clientGoneError()));
  });

/** What a route sees when its client went away: an AbortError, which it ignores. */
const clientGoneError = (): Error => new DOMException('The client went away.', 'AbortError');
