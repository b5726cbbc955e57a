import { isUtf8 } from 'node:buffer';
import type { Request } from 'express';
import { GatewayError } from '../errors.js';

export const tooLarge = (limitBytes: number): GatewayError =>
  new GatewayError(413, `The request body is larger than the gateway's limit of ${limitBytes} bytes.`, { type: 'invalid_request_error', code: 'request_too_large' });

/** From this declared length on, a body is read into a buffer allocated up front. */
const PREALLOCATED_BYTES = 64 * 1024;

/** The raw body, refused with 413 as soon as it passes the limit (the rest is drained, unread).
 * Event listeners rather than `for await`: on the hot path the async iterator measured about 0.05 ms
 * more per request (npm run bench). */
export const readRawBody = (request: Request, limitBytes: number): Promise<Buffer> =>
  new Promise((resolve, reject) => {
    const declared = Number(request.headers['content-length']);
    if (Number.isFinite(declared) && declared > limitBytes) {
      reject(tooLarge(limitBytes));
      return;
    }
    const chunks: Buffer[] = [];
    // A large declared body is copied into its one buffer chunk by chunk while the rest is still on
    // its way, instead of joined after its last chunk (1 MB: a copy and a fresh allocation's page
    // faults off the request's critical path).
    const whole = declared >= PREALLOCATED_BYTES ? Buffer.allocUnsafe(declared) : undefined;
    let size = 0;
    const settle = (outcome: () => void) => {
      request.off('data', onData);
      request.off('end', onEnd);
      request.off('error', onError);
      request.off('close', onClose);
      outcome();
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (whole) {
        // The HTTP parser never delivers more than the declared length.
        chunk.copy(whole, size - chunk.length);
        if (size === declared) settle(() => resolve(whole));
        return;
      }
      if (size === declared) {
        // The whole declared body is in: done now rather than a turn of the event loop later, at
        // 'end' (the HTTP parser refuses a body longer than its Content-Length).
        chunks.push(chunk);
        onEnd();
        return;
      }
      if (size <= limitBytes) {
        chunks.push(chunk);
        return;
      }
      settle(() => reject(tooLarge(limitBytes)));
      request.resume();
    };
    const onEnd = () => settle(() => resolve(whole ? whole.subarray(0, size) : chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size)));
    const onError = (error: Error) => settle(() => reject(error));
    // A client that leaves mid-body: without this the promise would never settle.
    const onClose = () => settle(() => reject(Object.assign(new Error('The client left before its request body was complete.'), { name: 'AbortError' })));
    request.on('data', onData);
    request.on('end', onEnd);
    request.on('error', onError);
    request.on('close', onClose);
  });

/** A JSON object body; anything else is a 400 the client can act on. */
export const readJsonBody = async <T extends object = Record<string, unknown>>(request: Request, limitBytes: number): Promise<T> => parseJsonBody<T>(await readRawBody(request, limitBytes));

/** The checks of readJsonBody on bytes already read (a route that may forward them as they are). */
export const parseJsonBody = <T extends object = Record<string, unknown>>(raw: Buffer): T => {
  // JSON text is UTF-8 (RFC 8259); decoding anything else would silently turn it into U+FFFD.
  if (!isUtf8(raw)) throw GatewayError.invalidRequest('The request body is not valid UTF-8.', null, 'invalid_json');
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw.toString('utf8'));
  } catch (error) {
    throw GatewayError.invalidRequest(`The request body is not valid JSON: ${(error as Error).message.slice(0, 200)}`, null, 'invalid_json');
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw GatewayError.invalidRequest('The request body must be a JSON object.', null, 'invalid_json');
  }
  if (nestedDeeperThan(parsed, MAX_JSON_DEPTH)) throw GatewayError.invalidRequest(`The request body is nested deeper than ${MAX_JSON_DEPTH} levels.`, null, 'invalid_json');
  return parsed as T;
};

/** Far past any real request (tool schemas included); deeper bodies would overflow the stack when
 * serialised for the upstream. */
export const MAX_JSON_DEPTH = 128;

/** Stops at the limit, so it never recurses deeper than `levels` itself. */
const nestedDeeperThan = (value: unknown, levels: number): boolean => {
  if (value === null || typeof value !== 'object') return false;
  if (levels === 0) return true;
  if (Array.isArray(value)) {
    for (const item of value) if (nestedDeeperThan(item, levels - 1)) return true;
    return false;
  }
  for (const key in value) if (nestedDeeperThan((value as Record<string, unknown>)[key], levels - 1)) return true;
  return false;
};
