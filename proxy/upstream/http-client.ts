import { Agent, errors as undiciErrors, type Dispatcher } from 'undici';
import { GatewayError } from '../errors.js';
import { capWholeReads } from './whole-body-limit.js';
import { currentRetryPolicy, isReplayable, withRetries, type RetryableAnswer } from './retry.js';

/** One keep-alive pool per upstream origin, shared by every route: the hot path never opens a
 * connection per request and never uses fetch() (measured several times the CPU of request()). */
export interface UpstreamTimeouts {
  /** Time allowed until the upstream's response headers arrive. */
  headersMs: number;
  /** Time allowed between two body chunks (a stalled stream). */
  bodyMs: number;
}

export const DEFAULT_TIMEOUTS: UpstreamTimeouts = { headersMs: 300_000, bodyMs: 300_000 };

let sharedAgent: Agent | undefined;
let sharedTimeouts = DEFAULT_TIMEOUTS;
let gatewaysUsingPools = 0;

/** The timeouts apply per request, so changing them leaves the pool (and requests in flight) alone. */
export const configureUpstream = (timeouts: UpstreamTimeouts): void => {
  sharedTimeouts = timeouts;
};

export const upstreamAgent = (): Agent => {
  sharedAgent ??= new Agent({ keepAliveTimeout: 30_000, keepAliveMaxTimeout: 600_000, connections: 1024, pipelining: 1 });
  return sharedAgent;
};

/** Closes the pool now, waiting for requests in flight. */
export const closeUpstreamPools = async (): Promise<void> => {
  const current = sharedAgent;
  sharedAgent = undefined;
  await current?.close();
};

/** Several gateways may share the process (tests, an extension restarting its gateway): the pool
 * closes when the last of them stops, not under another one's requests. */
export const retainUpstreamPools = (): void => {
  gatewaysUsingPools += 1;
};

export const releaseUpstreamPools = async (): Promise<void> => {
  gatewaysUsingPools = Math.max(0, gatewaysUsingPools - 1);
  if (gatewaysUsingPools === 0) await closeUpstreamPools();
};

export interface UpstreamRequest {
  url: string;
  method?: 'GET' | 'POST' | 'DELETE';
  headers: Record<string, string>;
  body?: Dispatcher.DispatchOptions['body'];
  signal: AbortSignal;
  /** The gateway's own timeouts for this provider; absent: the process-wide ones. */
  timeouts?: UpstreamTimeouts;
}

export type UpstreamResponse = Dispatcher.ResponseData;

/** Sends one request upstream; connection failures become 502, timeouts 504, a client's abort
 * becomes an AbortError the routes ignore. Never includes the key in an error. */
export const sendUpstream = async (upstream: UpstreamRequest): Promise<UpstreamResponse> => {
  const response = await withUpstreamPolicy(upstream, () => upstream.signal, () => upstreamAgent().request(dispatchOptions(upstream, upstream.signal)));
  capWholeReads(response.body, response.headers);
  return response;
};

/** Runs `send` under the retry policy and turns its failure into the gateway's error. */
export const withUpstreamPolicy = async <Answer extends RetryableAnswer>(upstream: Pick<UpstreamRequest, 'url' | 'body'>, signal: () => AbortSignal, send: () => Promise<Answer>): Promise<Answer> => {
  try {
    // Retries (upstream/retry.ts) happen here, before a route sees the answer. Without any, the
    // retry loop's async frame is left out of the hot path.
    if (currentRetryPolicy().maxRetries === 0) return await send();
    return await withRetries(send, signal, isReplayable(upstream.body));
  } catch (error) {
    throw upstreamFailure(error, upstream.url);
  }
};

/** undici's options for one upstream request (`dispatch` takes no signal; `request` does). Written
 * out rather than spread: in V8 a literal that adds keys after a spread takes a slow path, measured
 * at 2.5 us here against 25 ns. */
export const dispatchOptions = (upstream: Omit<UpstreamRequest, 'signal'>, signal?: AbortSignal): Dispatcher.RequestOptions => {
  const { origin, path } = originAndPath(upstream.url);
  const timeouts = upstream.timeouts ?? sharedTimeouts;
  return { origin, path, method: upstream.method ?? 'POST', headers: upstream.headers, body: upstream.body, headersTimeout: timeouts.headersMs, bodyTimeout: timeouts.bodyMs, signal };
};

/** A provider's few URLs, parsed once: undici's top-level request() parses the URL string (and
 * copies the options) on every call. */
const parsedUrls = new Map<string, { origin: string; path: string }>();
const MAX_PARSED_URLS = 256;

const originAndPath = (url: string): { origin: string; path: string } => {
  let parsed = parsedUrls.get(url);
  if (!parsed) {
    const { origin, pathname, search } = new URL(url);
    parsed = { origin, path: pathname + search };
    if (parsedUrls.size >= MAX_PARSED_URLS) parsedUrls.clear();
    parsedUrls.set(url, parsed);
  }
  return parsed;
};

export const upstreamFailure = (error: unknown, url: string): unknown => {
  if (error instanceof GatewayError) return error;
  if (isAbort(error)) return error;
  const origin = safeOrigin(url);
  if (error instanceof undiciErrors.HeadersTimeoutError || error instanceof undiciErrors.BodyTimeoutError || error instanceof undiciErrors.ConnectTimeoutError) {
    return GatewayError.upstreamTimedOut(origin, error);
  }
  const code = (error as { code?: string } | undefined)?.code;
  return new GatewayError(502, `The upstream ${origin} could not be reached${code ? ` (${code})` : ''}.`, {
    type: 'upstream_error',
    code: 'upstream_unreachable',
    cause: error,
  });
};

/** A failure while a whole answer's body was read. The client leaving and the gateway's own
 * refusals (the size cap) pass as they are, a body timeout is a 504, and any other failure is the
 * upstream breaking off (502): never the gateway's own 500, never "not JSON". */
export const wholeReadFailure = (error: unknown, providerId: string | undefined): unknown => {
  if (error instanceof GatewayError || isAbort(error)) return error;
  if (error instanceof undiciErrors.BodyTimeoutError) return GatewayError.upstreamTimedOut(providerId ? `provider "${providerId}"` : 'provider', error);
  return GatewayError.upstreamBrokeOff(providerId, error);
};

/** A whole answer's body of undici's request() as text, its failure as wholeReadFailure says
 * (UpstreamChunks applies the same to its own whole reads). */
export const readWholeText = async (body: { text(): Promise<string> }, providerId: string): Promise<string> => {
  try {
    return await body.text();
  } catch (error) {
    throw wholeReadFailure(error, providerId);
  }
};

export const isAbort = (error: unknown): boolean =>
  error instanceof Error && (error.name === 'AbortError' || (error as { code?: string }).code === 'UND_ERR_ABORTED');

const safeOrigin = (url: string): string => {
  try {
    return new URL(url).origin;
  } catch {
    return 'upstream';
  }
};
