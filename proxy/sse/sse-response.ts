import type { Response } from 'express';
import type { GatewayError } from '../errors.js';
import type { Redactor } from '../logger.js';

/** Starts an SSE response at once, so the first event is not held back. `flush: false` leaves the
 * headers to go out with the first write (the caller makes sure one comes soon). */
export const startEventStream = (response: Response, extraHeaders: Record<string, string> = {}, flush = true): void => {
  response.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
    ...extraHeaders,
  });
  if (flush) response.flushHeaders();
};

/** OpenAI's in-stream error, which the official SDKs raise as an APIError. */
export const sseErrorEvent = (error: GatewayError, redactor?: Redactor): string =>
  `data: ${JSON.stringify(error.toBody(redactor && ((text) => redactor.redact(text))))}\n\n`;
