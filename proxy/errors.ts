/** The gateway's one error type. Routes and adapters throw it; `server/error-exit.ts` gives it to a
 * client, in that client's dialect, in one place, after `public-error.ts` has redacted every field. */
export type GatewayErrorType =
  | 'invalid_request_error'
  | 'authentication_error'
  | 'permission_error'
  | 'not_found_error'
  | 'rate_limit_error'
  | 'api_error'
  | 'upstream_error'
  | 'timeout_error';

export interface GatewayErrorOptions {
  type?: GatewayErrorType;
  code?: string | null;
  param?: string | null;
  /** Seconds, as the upstream's Retry-After said (kept verbatim). */
  retryAfter?: string;
  cause?: unknown;
}

export const defaultTypeForStatus = (status: number): GatewayErrorType => {
  if (status === 401) return 'authentication_error';
  if (status === 403) return 'permission_error';
  if (status === 404) return 'not_found_error';
  if (status === 429) return 'rate_limit_error';
  if (status === 504) return 'timeout_error';
  if (status >= 500) return 'api_error';
  return 'invalid_request_error';
};

export class GatewayError extends Error {
  readonly status: number;
  readonly type: GatewayErrorType;
  readonly code: string | null;
  readonly param: string | null;
  readonly retryAfter: string | undefined;

  constructor(status: number, message: string, options: GatewayErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'GatewayError';
    this.status = status;
    this.type = options.type ?? defaultTypeForStatus(status);
    this.code = options.code ?? null;
    this.param = options.param ?? null;
    this.retryAfter = options.retryAfter;
  }

  static invalidRequest(message: string, param: string | null = null, code: string | null = null): GatewayError {
    return new GatewayError(400, message, { type: 'invalid_request_error', param, code });
  }

  static modelNotFound(model: string): GatewayError {
    return new GatewayError(404, `The model '${model}' does not exist or is not served by any configured provider.`, {
      type: 'invalid_request_error',
      param: 'model',
      code: 'model_not_found',
    });
  }

  static notFound(message: string): GatewayError {
    return new GatewayError(404, message, { type: 'not_found_error', code: 'not_found' });
  }

  /** The upstream's connection or stream ended before its answer did. */
  static upstreamBrokeOff(providerId: string | undefined, cause?: unknown): GatewayError {
    return new GatewayError(502, `The upstream provider${providerId ? ` "${providerId}"` : ''} broke off the stream.`, { type: 'upstream_error', code: 'upstream_stream_broken', cause });
  }

  /** The upstream took longer than the gateway's timeouts allow (`where`: its origin, or its
   * provider). */
  static upstreamTimedOut(where: string, cause?: unknown): GatewayError {
    return new GatewayError(504, `The upstream ${where} did not answer in time.`, { type: 'timeout_error', code: 'upstream_timeout', cause });
  }

  /** The upstream answered with something its dialect does not allow (`what`: "a body that is not JSON"). */
  static badUpstreamBody(providerId: string | undefined, what: string): GatewayError {
    return new GatewayError(502, `The upstream provider${providerId ? ` "${providerId}"` : ''} sent ${what}.`, { type: 'upstream_error', code: 'bad_upstream_response' });
  }

  /** One event of an upstream's stream (or a line never ended) larger than a whole answer may be. */
  static upstreamEventTooLarge(limitBytes: number): GatewayError {
    return new GatewayError(502, `The upstream sent a stream event larger than the gateway's limit of ${Math.round(limitBytes / 1048576)} MB (limits.upstreamAnswerBytes in the gateway's config file).`, { type: 'upstream_error', code: 'upstream_event_too_large' });
  }

  /** A whole (non-streamed) upstream answer larger than the gateway reads into memory. */
  static upstreamBodyTooLarge(limitBytes: number): GatewayError {
    return new GatewayError(502, `The upstream's answer is larger than the gateway's limit of ${Math.round(limitBytes / 1048576)} MB for a whole answer; ask for a stream, or raise limits.upstreamAnswerBytes in the gateway's config file.`, { type: 'upstream_error', code: 'upstream_body_too_large' });
  }
}

/** Any thrown value as a GatewayError; unknown failures become a 500 without leaking internals. */
export const toGatewayError = (error: unknown): GatewayError => {
  if (error instanceof GatewayError) return error;
  return new GatewayError(500, 'The gateway failed while handling the request.', { type: 'api_error', cause: error });
};
