import type { GatewayError } from '../../errors.js';
import type { ErrorDialect } from '../../server/error-exit.js';

export type AnthropicErrorType =
  | 'invalid_request_error'
  | 'authentication_error'
  | 'permission_error'
  | 'not_found_error'
  | 'request_too_large'
  | 'rate_limit_error'
  | 'api_error'
  | 'overloaded_error';

export interface AnthropicErrorBody {
  type: 'error';
  error: { type: AnthropicErrorType; message: string };
  request_id?: string;
}

const isOverloaded = (error: GatewayError): boolean => error.status === 529 || error.status === 503 || error.code === 'overloaded_error';

/** Anthropic's error type for a gateway error, chosen by status as Anthropic does. */
export const anthropicErrorType = (error: GatewayError): AnthropicErrorType => {
  if (error.status === 401) return 'authentication_error';
  if (error.status === 403) return 'permission_error';
  if (error.status === 404) return 'not_found_error';
  if (error.status === 413) return 'request_too_large';
  if (error.status === 429) return 'rate_limit_error';
  if (isOverloaded(error)) return 'overloaded_error';
  if (error.status >= 500) return 'api_error';
  return 'invalid_request_error';
};

const anthropicErrorBody = (error: GatewayError, requestId: string | undefined): AnthropicErrorBody => {
  const body: AnthropicErrorBody = { type: 'error', error: { type: anthropicErrorType(error), message: error.message } };
  if (requestId) body.request_id = requestId;
  return body;
};

/** Anthropic's errors: `{"type":"error","error":{type,message},"request_id"}`; an upstream's overload
 * (529, which the OpenAI side reports as 503) keeps Anthropic's own 529; in a stream, an `error`
 * event after which the stream ends. */
export const anthropicErrors: ErrorDialect = {
  status: (error) => (error.status === 503 && error.code === 'overloaded_error' ? 529 : error.status),
  body: (error, requestId) => JSON.stringify(anthropicErrorBody(error, requestId)),
  event: (error, requestId) => `event: error\ndata: ${JSON.stringify(anthropicErrorBody(error, requestId))}\n\n`,
};
