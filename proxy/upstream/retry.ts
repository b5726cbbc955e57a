import { FormData as UndiciFormData, type Dispatcher } from 'undici';

/** Retries of one upstream request before any of its answer is used. */
export interface RetryPolicy {
  /** Retries after the first attempt (0: none). */
  maxRetries: number;
  /** Backoff base: attempt n waits a random time in [0, min(maxDelayMs, baseDelayMs * 2^n)] ("full jitter"). */
  baseDelayMs: number;
  maxDelayMs: number;
  /** A Retry-After longer than this is not waited for: the error goes to the client, who sees it. */
  maxRetryAfterMs: number;
}

export const NO_RETRIES: RetryPolicy = { maxRetries: 0, baseDelayMs: 250, maxDelayMs: 4_000, maxRetryAfterMs: 10_000 };
export const DEFAULT_RETRIES: RetryPolicy = { maxRetries: 2, baseDelayMs: 250, maxDelayMs: 4_000, maxRetryAfterMs: 10_000 };

let policy: RetryPolicy = NO_RETRIES;

/** Sets the policy every upstream request follows (like the timeouts, one per process). */
export const configureRetries = (next: Partial<RetryPolicy> | undefined): void => {
  policy = next ? { ...DEFAULT_RETRIES, ...next } : NO_RETRIES;
};

export const currentRetryPolicy = (): RetryPolicy => policy;

/** 429, 529 and 5xx other than 501 (not implemented) and 505 (version) may pass if tried again. */
export const isRetryableStatus = (status: number): boolean => status === 429 || (status >= 500 && status <= 599 && status !== 501 && status !== 505);

const TRANSIENT_CONNECTION_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED', 'UND_ERR_CONNECT_TIMEOUT']);

export const isRetryableError = (error: unknown): boolean => {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && TRANSIENT_CONNECTION_CODES.has(code);
};

/** Retry-After as milliseconds: delta-seconds or an HTTP date; undefined when absent or unreadable. */
export const retryAfterMs = (value: string | string[] | undefined, now = Date.now()): number | undefined => {
  const text = (Array.isArray(value) ? value[0] : value)?.trim();
  if (!text) return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
};

export const backoffMs = (attempt: number, retry: RetryPolicy, random: () => number = Math.random): number =>
  Math.floor(random() * Math.min(retry.maxDelayMs, retry.baseDelayMs * 2 ** attempt));

/** Bodies that can be sent again as they are (a stream is used up by the first attempt). */
export const isReplayable = (body: Dispatcher.DispatchOptions['body']): boolean =>
  body === undefined || body === null || typeof body === 'string' || body instanceof Uint8Array || body instanceof UndiciFormData || body instanceof FormData;

const sleep = (milliseconds: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, milliseconds);
    signal.addEventListener('abort', onAbort, { once: true });
  });

/** What a retry looks at: undici's response, or the hot path's lighter one (upstream/open-upstream.ts). */
export interface RetryableAnswer {
  statusCode: number;
  headers: Record<string, string | string[] | undefined>;
  body: { dump(): Promise<unknown> };
}

/** Sends, and sends again on a retryable status or connection error, waiting by Retry-After (when
 * within the cap) or by backoff. The answer is handed on only once no retry will follow, so a
 * retry always happens before the first byte reaches the client. The client's signal is asked for
 * only when a retry is in view: most calls never need one made. */
export const withRetries = async <Answer extends RetryableAnswer>(send: () => Promise<Answer>, signal: () => AbortSignal, replayable: boolean, retry: RetryPolicy = policy): Promise<Answer> => {
  const attempts = replayable ? retry.maxRetries + 1 : 1;
  for (let attempt = 0; ; attempt += 1) {
    const last = attempt + 1 >= attempts;
    let response: Answer;
    try {
      response = await send();
    } catch (error) {
      if (last || signal().aborted || !isRetryableError(error)) throw error;
      await sleep(backoffMs(attempt, retry), signal());
      continue;
    }
    if (last || !isRetryableStatus(response.statusCode)) return response;
    const asked = retryAfterMs(response.headers['retry-after']);
    if (asked !== undefined && asked > retry.maxRetryAfterMs) return response;
    await response.body.dump().catch(() => undefined);
    await sleep(asked ?? backoffMs(attempt, retry), signal());
  }
};
