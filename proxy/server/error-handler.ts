import type { NextFunction, Request, Response } from 'express';
import { toGatewayError } from '../errors.js';
import type { Logger, Redactor } from '../logger.js';
import type { RequestTracker } from '../usage/request-tracker.js';
import { sseErrorEvent } from '../sse/sse-response.js';
import { isAbort } from '../upstream/http-client.js';

/** The one place a GatewayError becomes an HTTP response (OpenAI's error shape), with any known
 * secret masked. Once an SSE stream has begun, the error goes out as a final error event instead;
 * any other body already under way (audio, video) is cut, so the client sees it incomplete. */
export const errorHandler = (log: Logger, redactor: Redactor) => (thrown: unknown, _request: Request, response: Response, _next: NextFunction) => {
  // The client left and its abort unwound the route: there is no one to answer, nothing to log.
  if (isAbort(thrown) && response.destroyed) return;
  const error = toGatewayError(thrown);
  (response.locals.tracker as RequestTracker | undefined)?.failed(error);
  if (error.status >= 500 && error.cause) log.warn(`request failed: ${error.message} (${(error.cause as Error).message ?? String(error.cause)})`);
  if (response.headersSent) {
    if (response.writableEnded) return;
    if (/^text\/event-stream/i.test(String(response.getHeader('content-type') ?? ''))) {
      response.write(sseErrorEvent(error, redactor));
      response.end();
    } else {
      response.destroy();
    }
    return;
  }
  if (error.retryAfter) response.setHeader('retry-after', error.retryAfter);
  // Plain Node calls (what express's res.json does), so that the fast lane's responses work too.
  const text = JSON.stringify(error.toBody((message) => redactor.redact(message)));
  response.statusCode = error.status;
  response.setHeader('content-type', 'application/json; charset=utf-8');
  response.setHeader('content-length', Buffer.byteLength(text));
  response.end(text);
};
