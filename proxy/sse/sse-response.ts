import type { Response } from 'express';
import type { GatewayError } from '../errors.js';

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
export const sseErrorEvent = (error: GatewayError): string => `data: ${JSON.stringify(error.toBody())}\n\n`;
