import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Dispatcher } from 'undici';
import { readChunkEvents } from '../../proxy/sse/read-chunk-events.js';
import { UpstreamChunks } from '../../proxy/upstream/upstream-chunks.js';
import { fixtureText } from '../support/fixtures.js';

// The SSE reader of every adapter's streams, on its own: a body handed over chunk by chunk, as
// undici's dispatch callbacks do, with a controller that records what the reader asked of it.
const controlled = () => {
  const calls: string[] = [];
  const controller = { pause: () => calls.push('pause'), resume: () => calls.push('resume'), abort: () => calls.push('abort') } as unknown as Dispatcher.DispatchController;
  return { body: new UpstreamChunks(controller), calls };
};

const turn = () => new Promise((resolve) => setImmediate(resolve));

test('a recorded stream in awkward pieces gives the same events as in one piece', async () => {
  const text = fixtureText('openai/chat-stream-parallel-tool-calls.openai-python.sse');
  const collect = async (size: number) => {
    const { body } = controlled();
    const events: string[] = [];
    const reading = (async () => {
      for await (const event of readChunkEvents(body)) events.push(`${event.event ?? ''}|${event.data}`);
    })();
    const bytes = Buffer.from(text);
    for (let offset = 0; offset < bytes.length; offset += size) {
      body.deliver(bytes.subarray(offset, offset + size));
      if (offset % (size * 7) === 0) await turn();
    }
    body.end();
    await reading;
    return events;
  };
  const whole = await collect(1 << 30);
  assert.ok(whole.length > 5);
  for (const size of [1, 3, 17, 256]) assert.deepEqual(await collect(size), whole, `pieces of ${size} bytes`);
});

test('a last event without its blank line still counts', async () => {
  const { body } = controlled();
  body.deliver(Buffer.from('data: {"a":1}\n\ndata: {"b":2}'));
  body.end();
  const events = [];
  for await (const event of readChunkEvents(body)) events.push(event.data);
  assert.deepEqual(events, ['{"a":1}', '{"b":2}']);
});

test('events the reader has not taken pause the upstream, and taking them resumes it', async () => {
  const { body, calls } = controlled();
  const events = readChunkEvents(body)[Symbol.asyncIterator]();
  const first = events.next();
  body.deliver(Buffer.from('data: 0\n\n'.repeat(200)));
  assert.equal((await first).value?.data, '0');
  assert.deepEqual(calls, ['pause'], 'paused while 199 events wait');
  for (let index = 1; index < 200; index += 1) assert.equal((await events.next()).value?.data, '0');
  const last = events.next();
  await turn();
  assert.deepEqual(calls, ['pause', 'resume']);
  body.end();
  assert.equal((await last).done, true);
});

test('a broken body is thrown to the reader', async () => {
  const { body } = controlled();
  body.deliver(Buffer.from('data: 1\n\n'));
  const seen: string[] = [];
  const reading = (async () => {
    for await (const event of readChunkEvents(body)) seen.push(event.data);
  })();
  await turn();
  body.end(new Error('socket reset'));
  await assert.rejects(reading, /socket reset/);
  assert.deepEqual(seen, ['1']);
});

test('a reader that stops early: a short rest is read through, a long one cut', async () => {
  for (const [restBytes, cut] of [[1_000, false], [200_000, true]] as const) {
    const { body, calls } = controlled();
    body.deliver(Buffer.from('data: done\n\n'));
    for await (const event of readChunkEvents(body)) if (event.data === 'done') break;
    body.deliver(Buffer.alloc(restBytes, 'x'));
    if (!cut) body.end();
    assert.equal(calls.includes('abort'), cut, `a rest of ${restBytes} bytes`);
  }
});

test('a resume that delivers what undici held at once, and pauses again, does not stall the reader', async () => {
  const late: { body?: UpstreamChunks } = {};
  let held = 3;
  const controller = {
    pause: () => undefined,
    abort: () => undefined,
    // undici hands over what it had already parsed from inside resume(), before it returns.
    resume: () => {
      if (held-- > 0) late.body?.deliver(Buffer.from('data: 1\n\n'.repeat(100)));
      else late.body?.end();
    },
  } as unknown as Dispatcher.DispatchController;
  const body = new UpstreamChunks(controller);
  late.body = body;
  body.deliver(Buffer.from('data: 1\n\n'.repeat(100)));
  let count = 0;
  for await (const event of readChunkEvents(body)) count += Number(event.data);
  assert.equal(count, 400);
});
