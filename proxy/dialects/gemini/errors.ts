import type { GatewayError } from '../../errors.js';
import type { ErrorDialect } from '../../server/error-exit.js';

/** google.rpc.Code names by HTTP status, as Google's APIs pair them. */
const STATUS_BY_HTTP: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  408: 'DEADLINE_EXCEEDED',
  409: 'ABORTED',
  413: 'INVALID_ARGUMENT',
  429: 'RESOURCE_EXHAUSTED',
  499: 'CANCELLED',
  500: 'INTERNAL',
  501: 'UNIMPLEMENTED',
  502: 'UNAVAILABLE',
  503: 'UNAVAILABLE',
  504: 'DEADLINE_EXCEEDED',
};

export const googleStatus = (status: number): string => STATUS_BY_HTTP[status] ?? (status >= 500 ? 'INTERNAL' : 'FAILED_PRECONDITION');

/** An upstream's 529 (Anthropic's overload) is no status Google's clients know: they get 503. */
const httpStatus = (error: GatewayError): number => (error.status === 529 ? 503 : error.status);

const errorObject = (error: GatewayError) => ({ error: { code: httpStatus(error), message: error.message, status: googleStatus(httpStatus(error)) } });

/** Google's errors: `{"error":{"code","message","status"}}`; in an SSE stream the same object as a
 * last `data:` event, as Gemini sends one. */
export const geminiErrors: ErrorDialect = {
  status: httpStatus,
  body: (error) => JSON.stringify(errorObject(error)),
  event: (error) => `data: ${JSON.stringify(errorObject(error))}\n\n`,
};
