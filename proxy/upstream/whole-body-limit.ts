import type { Readable } from 'node:stream';
import { GatewayError } from '../errors.js';

/** What a whole (non-streamed) upstream answer may hold in memory; a stream is never held whole.
 * With the gateway's own memory, 32 MB keeps a refused answer's peak under the bench's 150 MB
 * bound (issue 16); `limits.upstreamAnswerBytes` raises it. */
export const DEFAULT_WHOLE_BODY_BYTES = 32 * 1024 * 1024;
let wholeBodyBytes = DEFAULT_WHOLE_BODY_BYTES;

export const configureWholeBodyLimit = (bytes: number | undefined): void => {
  wholeBodyBytes = bytes ?? DEFAULT_WHOLE_BODY_BYTES;
};

export const wholeBodyLimit = (): number => wholeBodyBytes;

interface WholeReads {
  text(): Promise<string>;
  json(): Promise<unknown>;
  arrayBuffer(): Promise<ArrayBuffer>;
  bytes(): Promise<Uint8Array>;
}

/** A whole answer collected up to the limit: a 502 past it, or before reading when the upstream
 * declares a longer one. It is held as the chunks it came in: copied into one buffer instead, the
 * copies' sources waited for the garbage collector and the peak grew. */
export class WholeAnswer {
  private readonly chunks: Buffer[] = [];
  private size = 0;

  constructor(
    private readonly limit = wholeBodyBytes,
    declaredLength = 0,
  ) {
    if (declaredLength > limit) throw GatewayError.upstreamBodyTooLarge(limit);
  }

  add(chunk: Buffer): void {
    this.size += chunk.length;
    if (this.size > this.limit) throw GatewayError.upstreamBodyTooLarge(this.limit);
    this.chunks.push(chunk);
  }

  bytes(): Buffer {
    return this.chunks.length === 1 ? (this.chunks[0] as Buffer) : Buffer.concat(this.chunks, this.size);
  }
}

const readCapped = async (body: Readable, declaredLength: number): Promise<Buffer> => {
  try {
    const answer = new WholeAnswer(wholeBodyBytes, declaredLength);
    for await (const chunk of body as AsyncIterable<Buffer>) answer.add(chunk);
    return answer.bytes();
  } catch (error) {
    body.destroy();
    throw error;
  }
};

/** Every way of reading an undici body whole stops at the limit with a 502, so no route, adapter or
 * endpoint added later can pull an upstream's unbounded answer into memory. Reading it as a stream
 * (its async iterator) is untouched. */
export const capWholeReads = <Body extends Readable & WholeReads>(body: Body, headers: Record<string, string | string[] | undefined>): Body => {
  const declared = Number(headers['content-length'] ?? 0) || 0;
  const read = () => readCapped(body, declared);
  body.text = async () => (await read()).toString('utf8');
  body.json = async () => JSON.parse((await read()).toString('utf8'));
  body.arrayBuffer = async () => {
    const bytes = await read();
    return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length) as ArrayBuffer;
  };
  body.bytes = async () => new Uint8Array(await read());
  return body;
};
