import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Request } from 'express';
import { Readable } from 'node:stream';
import { FormData } from 'undici';
import { readMultipart, uploadBody } from '../../proxy/server/read-multipart.js';

// An upload goes upstream as the client's own bytes unless a field must change (the model id of a
// namespaced model), and then it is rebuilt with the same files.

const BOUNDARY = '----modapi-test-boundary';
const AUDIO = Buffer.from(Array.from({ length: 4096 }, (_, index) => index % 251));
const upload = (model: string, extraModel?: string) =>
  Buffer.concat([
    Buffer.from(`--${BOUNDARY}\r\ncontent-disposition: form-data; name="model"\r\n\r\n${model}\r\n`),
    Buffer.from(extraModel ? `--${BOUNDARY}\r\ncontent-disposition: form-data; name="model"\r\n\r\n${extraModel}\r\n` : ''),
    Buffer.from(`--${BOUNDARY}\r\ncontent-disposition: form-data; name="file"; filename="speech.mp3"\r\ncontent-type: audio/mpeg\r\n\r\n`),
    AUDIO,
    Buffer.from(`\r\n--${BOUNDARY}--\r\n`),
  ]);

const request = (bytes: Buffer): Request => {
  const stream = Readable.from([bytes]) as unknown as Request;
  stream.headers = { 'content-type': `multipart/form-data; boundary=${BOUNDARY}`, 'content-length': String(bytes.length) };
  return stream;
};

test('an unchanged model id: the client bytes go as they are, with their boundary', async () => {
  const bytes = upload('whisper-1');
  const parsed = await readMultipart(request(bytes), 1024 * 1024);
  const body = uploadBody(parsed, { model: 'whisper-1' });
  assert.ok(Buffer.isBuffer(body.body));
  assert.ok((body.body as Buffer).equals(bytes));
  assert.equal(body.contentType, `multipart/form-data; boundary=${BOUNDARY}`);
});

test('a changed model id, or one given twice: rebuilt, with the new id in place of each and the same file bytes', async () => {
  for (const bytes of [upload('openai/whisper-1'), upload('whisper-1', 'whisper-2')]) {
    const parsed = await readMultipart(request(bytes), 1024 * 1024);
    const body = uploadBody(parsed, { model: 'whisper-1' });
    assert.ok(body.body instanceof FormData);
    assert.equal(body.contentType, undefined, 'undici writes the new boundary');
    assert.deepEqual(body.body.getAll('model'), parsed.fields.map(() => 'whisper-1'));
    const file = body.body.get('file') as Blob & { name?: string };
    assert.equal(file.name, 'speech.mp3');
    assert.equal(file.type, 'audio/mpeg');
    assert.ok(Buffer.from(await file.arrayBuffer()).equals(AUDIO));
  }
});

test('over the limit: 413 before any parsing', async () => {
  await assert.rejects(readMultipart(request(upload('whisper-1')), 100), (error: { status?: number }) => error.status === 413);
});

const field = (name: string, value: string) => Buffer.from(`--${BOUNDARY}\r\ncontent-disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`);
const withFields = (...fields: Buffer[]) => Buffer.concat([...fields, Buffer.from(`--${BOUNDARY}--\r\n`)]);

// busboy drops what passes its limits; the raw bytes would still carry it upstream, unchecked.
test('a field past the field limit is refused, not forwarded unseen (a second model after 200 fillers)', async () => {
  const fillers = Array.from({ length: 200 }, (_, index) => field(`f${index}`, 'x'));
  const bytes = withFields(field('model', 'whisper-1'), ...fillers, field('model', 'gpt-4o-transcribe'));
  await assert.rejects(readMultipart(request(bytes), 1024 * 1024), (error: { status?: number; message?: string }) => error.status === 400 && /more than 200 fields/.test(error.message ?? ''));
});

test('a field value cut at its size limit is refused', async () => {
  const bytes = withFields(field('model', 'whisper-1'), field('prompt', 'p'.repeat(1024 * 1024 + 1)));
  await assert.rejects(readMultipart(request(bytes), 4 * 1024 * 1024), (error: { status?: number; message?: string }) => error.status === 400 && /"prompt" is longer than/.test(error.message ?? ''));
});

test('more files than the limit are refused', async () => {
  const file = (index: number) => Buffer.from(`--${BOUNDARY}\r\ncontent-disposition: form-data; name="file${index}"; filename="a${index}.mp3"\r\ncontent-type: audio/mpeg\r\n\r\nabc\r\n`);
  const bytes = withFields(field('model', 'whisper-1'), ...Array.from({ length: 21 }, (_, index) => file(index)));
  await assert.rejects(readMultipart(request(bytes), 1024 * 1024), (error: { status?: number; message?: string }) => error.status === 400 && /more than 20 files/.test(error.message ?? ''));
});
