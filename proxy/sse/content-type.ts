/** Whether a Content-Type value names an event stream (SSE), whatever its parameters: the one test
 * the lanes, adapters and the error exit share. */
export const isEventStreamType = (contentType: unknown): boolean => /^\s*text\/event-stream/i.test(String(contentType ?? ''));
