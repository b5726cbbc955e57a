import type { Readable } from 'node:stream';
import { GatewayError } from '../errors.js';

/** What a whole (non-streamed) upstream answer may hold in memory; a stream is never held whole. */
export const DEFAULT_WHOLE_BODY_BYTES = 64 * 1024 * 1024;
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

const readCapped = async (body: Readable, declaredLength: number): Promise<Buffer> => {
  const limit = wholeBodyBytes;
  if (declaredLength > limit) {
    body.destroy();
    throw GatewayError.upstreamBodyTooLarge(limit);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) {
      body.destroy();
      throw GatewayError.upstreamBodyTooLarge(limit);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, size);
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
