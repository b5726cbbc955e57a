import type { NextFunction, Request, Response } from 'express';
import { toGatewayError, type GatewayError } from '../errors.js';
import type { Logger, Redactor } from '../logger.js';
import { publicError } from '../public-error.js';
import { isAbort } from '../upstream/http-client.js';
import type { RequestTracker } from '../usage/request-tracker.js';
import { isEventStreamType } from '../sse/content-type.js';

/** How one client dialect writes an error: its HTTP status, its JSON body, its in-stream event. The
 * error it is given has already been made public (redacted). */
export interface ErrorDialect {
  status(error: GatewayError): number;
  body(error: GatewayError, requestId: string | undefined): string;
  event(error: GatewayError, requestId: string | undefined): string;
}

export interface ErrorExitContext {
  log: Logger;
  redactor: Redactor;
}

/** The one place an error leaves the gateway over HTTP, in the dialect of the routes it is mounted
 * for: a JSON body with a fitting status, or, once an SSE stream has begun, a last error event; any
 * other body already under way (audio, video) is cut, so the client sees it incomplete. Every field
 * passes the redaction first. */
export const errorExit = (context: ErrorExitContext, dialect: ErrorDialect) => (thrown: unknown, _request: Request, response: Response, _next: NextFunction) => {
  // The client left and its abort unwound the route: there is no one to answer, nothing to log.
  if (isAbort(thrown) && response.destroyed) return;
  const error = publicError(toGatewayError(thrown), context.redactor);
  const tracker = response.locals.tracker as RequestTracker | undefined;
  tracker?.failed(error);
  if (error.status >= 500 && error.cause) context.log.warn(`request failed: ${error.message} (${(error.cause as Error).message ?? String(error.cause)})`);
  if (response.headersSent) {
    if (response.writableEnded || response.destroyed) return;
    const streamFailure = response.locals.streamFailure as ((error: GatewayError) => string) | undefined;
    if (isEventStreamType(response.getHeader('content-type'))) response.end(streamFailure ? streamFailure(error) : dialect.event(error, tracker?.requestId));
    else response.destroy();
    return;
  }
  if (error.retryAfter) response.setHeader('retry-after', error.retryAfter);
  // Plain Node calls (what express's res.json does), so that the fast lane's responses work too.
  const text = dialect.body(error, tracker?.requestId);
  response.statusCode = dialect.status(error);
  response.setHeader('content-type', 'application/json; charset=utf-8');
  response.setHeader('content-length', Buffer.byteLength(text));
  response.end(text);
};
