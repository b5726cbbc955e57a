import type { Response } from 'express';

const EVENT_STREAM_HEADERS: Record<string, string> = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache',
  connection: 'keep-alive',
  'x-accel-buffering': 'no',
};

/** Starts an SSE response at once, so the first event is not held back. */
export const startEventStream = (response: Response, extraHeaders: Record<string, string> = {}): void => {
  response.writeHead(200, { ...EVENT_STREAM_HEADERS, ...extraHeaders });
  response.flushHeaders();
};

/** Sets an SSE response's headers ahead (while the upstream works), to leave with the first write
 * under status 200; nothing is sent yet, so an error can still take the response over (and
 * `abandonEventStream` takes the headers back). */
export const prepareEventStream = (response: Response, extraHeaders: Record<string, string>): void => {
  for (const name in EVENT_STREAM_HEADERS) response.setHeader(name, EVENT_STREAM_HEADERS[name] as string);
  for (const name in extraHeaders) response.setHeader(name, extraHeaders[name] as string);
};

export const abandonEventStream = (response: Response, extraHeaders: Record<string, string>): void => {
  if (response.headersSent) return;
  for (const name in EVENT_STREAM_HEADERS) response.removeHeader(name);
  for (const name in extraHeaders) response.removeHeader(name);
};
