import type { Response } from 'express';
import type { GatewayError } from '../errors.js';
import type { Redactor } from '../logger.js';

/** Starts an SSE response at once, so the first event is not held back. */
export const startEventStream = (response: Response, extraHeaders: Record<string, string> = {}): void => {
  response.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
    ...extraHeaders,
  });
  response.flushHeaders();
};

/** OpenAI's in-stream error, which the official SDKs raise as an APIError. */
export const sseErrorEvent = (error: GatewayError, redactor?: Redactor): string =>
  `data: ${JSON.stringify(error.toBody(redactor && ((text) => redactor.redact(text))))}\n\n`;
