import type { NextFunction, Request, Response } from 'express';
import { toGatewayError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { RequestTracker } from '../usage/request-tracker.js';
import { sseErrorEvent } from '../sse/sse-response.js';

/** The one place a GatewayError becomes an HTTP response (OpenAI's error shape). Once a stream has
 * begun, the error goes out as a final SSE error event instead. */
export const errorHandler = (log: Logger) => (thrown: unknown, _request: Request, response: Response, _next: NextFunction) => {
  const error = toGatewayError(thrown);
  (response.locals.tracker as RequestTracker | undefined)?.failed(error);
  if (error.status >= 500 && error.cause) log.warn(`request failed: ${error.message} (${(error.cause as Error).message ?? String(error.cause)})`);
  if (response.headersSent) {
    if (!response.writableEnded) {
      response.write(sseErrorEvent(error));
      response.end();
    }
    return;
  }
  if (error.retryAfter) response.setHeader('retry-after', error.retryAfter);
  response.status(error.status).json(error.toBody());
};
