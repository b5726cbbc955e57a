import type { GatewayError } from '../../errors.js';
import { errorFromUpstream } from '../../upstream/upstream-error.js';

/** The HTTP status OpenAI would have answered with, for an error type or code met inside a
 * Responses stream (an `error` event, or the error of `response.failed`). */
const STATUS_BY_ERROR: Record<string, number> = {
  invalid_request_error: 400,
  invalid_prompt: 400,
  authentication_error: 401,
  permission_error: 403,
  not_found_error: 404,
  rate_limit_error: 429,
  rate_limit_exceeded: 429,
  insufficient_quota: 429,
  server_error: 500,
  api_error: 500,
  vector_store_timeout: 504,
  timeout_error: 504,
};

export interface StreamError {
  type?: unknown;
  code?: unknown;
  message?: unknown;
  param?: unknown;
}

const statusOf = (error: StreamError): number => STATUS_BY_ERROR[String(error.type)] ?? STATUS_BY_ERROR[String(error.code)] ?? 502;

/** An error met inside a Responses stream (an `error` event's, or `response.failed`'s
 * `response.error`) as the GatewayError the same error would have been as the HTTP answer. */
export const errorFromStreamError = (error: StreamError, providerId: string): GatewayError =>
  errorFromUpstream(statusOf(error), {}, JSON.stringify({ error }), providerId);

/** An `error` event's data: `{type:"error",code,message,param}`, or the error nested under `error`
 * (whose own `type` then names the error, not the event). */
export const errorFromErrorEvent = (data: string, providerId: string): GatewayError => {
  let event: StreamError & { error?: StreamError };
  try {
    event = JSON.parse(data);
  } catch {
    event = {};
  }
  return errorFromStreamError(event.error && typeof event.error === 'object' ? event.error : { code: event.code, message: event.message, param: event.param }, providerId);
};
