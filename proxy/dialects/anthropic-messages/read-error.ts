import type { GatewayError } from '../../errors.js';
import { errorFromUpstream } from '../../upstream/upstream-error.js';

type HeaderValue = string | string[] | undefined;

/** An Anthropic HTTP error (400/401/403/404/413/429/500/529, or an HTML page from a proxy in front)
 * as an OpenAI-shaped GatewayError: the status kept (529 "overloaded" becomes 503, which OpenAI
 * clients retry), the type in OpenAI's words, Anthropic's type as the code, Retry-After kept. */
export const errorFromAnthropicResponse = (status: number, headers: Record<string, HeaderValue>, bodyText: string, providerId: string): GatewayError =>
  errorFromUpstream(status, headers, bodyText, providerId);

/** The HTTP status Anthropic would have answered with, for an error type met inside a stream. */
const STATUS_BY_ERROR_TYPE: Record<string, number> = {
  invalid_request_error: 400,
  authentication_error: 401,
  billing_error: 402,
  permission_error: 403,
  not_found_error: 404,
  request_too_large: 413,
  rate_limit_error: 429,
  api_error: 500,
  timeout_error: 504,
  overloaded_error: 529,
};

/** An `event: error` inside a stream (its data is `{type:"error",error:{type,message}}`), mapped as
 * the same error would be had it come as the HTTP answer. */
export const errorFromAnthropicStreamEvent = (data: string, providerId: string): GatewayError => {
  let errorType: unknown;
  try {
    errorType = (JSON.parse(data) as { error?: { type?: unknown } }).error?.type;
  } catch {
    errorType = undefined;
  }
  const status = (typeof errorType === 'string' && STATUS_BY_ERROR_TYPE[errorType]) || 502;
  return errorFromUpstream(status, {}, data, providerId);
};
