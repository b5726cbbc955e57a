import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CallContent, ContentWatch } from './call-telemetry.js';

/** Each body is kept up to this size (spans stay small; backends cap attributes anyway). */
const CAPTURED_BYTES = 64 * 1024;

class CappedBytes {
  private readonly chunks: Buffer[] = [];
  private size = 0;
  truncated = false;

  add(chunk: unknown, encoding?: unknown): void {
    if (chunk === undefined || chunk === null || typeof chunk === 'function') return;
    const bytes = Buffer.isBuffer(chunk) ? chunk : typeof chunk === 'string' ? Buffer.from(chunk, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8') : Buffer.from(chunk as Uint8Array);
    const room = CAPTURED_BYTES - this.size;
    if (bytes.length > room) this.truncated = true;
    if (room <= 0) return;
    const kept = bytes.subarray(0, room);
    this.chunks.push(Buffer.from(kept));
    this.size += kept.length;
  }

  text(): string {
    return Buffer.concat(this.chunks).toString('utf8') + (this.truncated ? '…[truncated]' : '');
  }
}

/** Prompts and answers for telemetry, when (and only when) content capture was asked for: tees the
 * request's body and the response's bytes without changing how either is read or written. */
export class ContentCapture implements ContentWatch {
  private readonly request = new CappedBytes();
  private readonly response = new CappedBytes();

  constructor(request: IncomingMessage, response: ServerResponse) {
    const emit = request.emit.bind(request) as (event: string | symbol, ...args: unknown[]) => boolean;
    request.emit = ((event: string | symbol, ...args: unknown[]) => {
      if (event === 'data') this.request.add(args[0]);
      return emit(event, ...args);
    }) as typeof request.emit;
    const write = response.write.bind(response) as (...args: unknown[]) => boolean;
    response.write = ((...args: unknown[]) => {
      this.response.add(args[0], args[1]);
      return write(...args);
    }) as typeof response.write;
  }

  ended(chunk: unknown, encoding?: unknown): void {
    this.response.add(chunk, encoding);
  }

  content(redact: (text: string) => string): CallContent {
    return { request: redact(this.request.text()), response: redact(this.response.text()) };
  }
}
