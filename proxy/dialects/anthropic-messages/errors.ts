import type { Response } from 'express';
import type { GatewayError } from '../../errors.js';

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

/** The request's id, and the redaction every message to a client goes through (an upstream may echo
 * a key into its error text). */
export interface ErrorContext {
  requestId?: string;
  redact?: (text: string) => string;
}

export const anthropicErrorBody = (error: GatewayError, context: ErrorContext = {}): AnthropicErrorBody => ({
  type: 'error',
  error: { type: anthropicErrorType(error), message: context.redact ? context.redact(error.message) : error.message },
  ...(context.requestId ? { request_id: context.requestId } : {}),
});

/** An upstream's overload (529, which the OpenAI side reports as 503) keeps Anthropic's own 529. */
export const anthropicStatus = (error: GatewayError): number => (error.status === 503 && error.code === 'overloaded_error' ? 529 : error.status);

/** The in-stream form: an `error` event, after which the stream ends. */
export const anthropicErrorEvent = (error: GatewayError, context: ErrorContext = {}): string => `event: error\ndata: ${JSON.stringify(anthropicErrorBody(error, context))}\n\n`;

/** Writes an error to an Anthropic client: a JSON body with a fitting status, or, once a stream has
 * begun, a final `error` event. */
export const sendAnthropicError = (response: Response, error: GatewayError, context: ErrorContext = {}): void => {
  if (response.headersSent) {
    if (!response.writableEnded) response.end(anthropicErrorEvent(error, context));
    return;
  }
  if (error.retryAfter) response.setHeader('retry-after', error.retryAfter);
  response.status(anthropicStatus(error)).json(anthropicErrorBody(error, context));
};
