import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { after, before, test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { GatewayError } from '../../proxy/errors.js';
import { watchSignal, type ClientWatch } from '../../proxy/upstream/client-watch.js';
import { closeUpstreamPools, configureUpstream, DEFAULT_TIMEOUTS, isAbort } from '../../proxy/upstream/http-client.js';
import { openUpstream } from '../../proxy/upstream/open-upstream.js';
import { FakeUpstream } from '../support/fake-upstream.js';

// The chat fast lane's upstream call (undici's dispatch callbacks, no Readable, no AbortSignal),
// against a fake upstream on 127.0.0.1.

/** A client that can be made to leave, as the request tracker reports it. */
class TestClient implements ClientWatch {
  clientGone = false;
  private listeners: (() => void)[] = [];
  whenClientGone(listener: () => void): () => void {
    if (this.clientGone) listener();
    else this.listeners.push(listener);
    return () => {
      this.listeners = this.listeners.filter((watching) => watching !== listener);
    };
  }
  clientGoneSignal(): AbortSignal {
    const controller = new AbortController();
    this.whenClientGone(() => controller.abort());
    return controller.signal;
  }
  get watching(): number {
    return this.listeners.length;
  }
  leave(): void {
    this.clientGone = true;
    for (const listener of this.listeners.splice(0)) listener();
  }
}

const upstream = new FakeUpstream();
let upstreamSawClose = 0;

before(async () => {
  upstream
    .on('POST /v1/whole', (_request, response) => {
      response.writeHead(201, { 'content-type': 'application/json', 'x-upstream': 'yes' });
      response.end('{"ok":true}');
    })
    .on('POST /v1/chunks', async (_request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      for (let index = 0; index < 5; index += 1) {
        response.write(`data: ${index}\n\n`);
        await delay(5);
      }
      response.end();
    })
    .on('POST /v1/endless', (_request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      const timer = setInterval(() => response.write('data: more\n\n'), 5);
      response.socket?.once('close', () => {
        clearInterval(timer);
        upstreamSawClose += 1;
      });
    })
    .on('POST /v1/big', (_request, response) => {
      response.writeHead(500, { 'content-type': 'text/plain' });
      response.end('x'.repeat(256 * 1024));
    })
    .on('POST /v1/reset', (_request, response) => {
      response.socket?.destroy();
    })
    .on('POST /v1/silent', () => undefined);
  await upstream.start();
});

after(async () => {
  configureUpstream(DEFAULT_TIMEOUTS);
  await closeUpstreamPools();
  await upstream.close();
});

const open = (path: string, client: ClientWatch = new TestClient()) =>
  openUpstream({ url: `${upstream.url()}${path}`, headers: { 'content-type': 'application/json' }, body: '{}', client });

test('status, headers and the whole body, read at once', async () => {
  const answer = await open('/whole');
  assert.equal(answer.statusCode, 201);
  assert.equal(answer.headers['x-upstream'], 'yes');
  assert.equal(await answer.body.text(), '{"ok":true}');
});

test('chunks reach the reader as they arrive, those that came first included, and it settles at the end', async () => {
  const answer = await open('/chunks');
  await delay(20);
  const seen: string[] = [];
  await answer.body.each((chunk) => seen.push(chunk.toString('utf8')));
  assert.equal(seen.join(''), [0, 1, 2, 3, 4].map((index) => `data: ${index}\n\n`).join(''));
  await assert.rejects(answer.body.each(() => undefined), /read only once/);
});

test('a client that leaves cuts the upstream request, and the reader sees an abort', async () => {
  const client = new TestClient();
  const before = upstreamSawClose;
  const answer = await open('/endless', client);
  const reading = answer.body.each(() => undefined);
  await delay(20);
  client.leave();
  const error = await reading.then(() => undefined, (failure: unknown) => failure);
  assert.ok(isAbort(error), `expected an abort, got ${String(error)}`);
  for (let waited = 0; upstreamSawClose === before && waited < 2_000; waited += 10) await delay(10);
  assert.equal(upstreamSawClose, before + 1, 'the upstream connection was not closed');
});

test('a call that ended stops watching its client: a long-lived signal keeps no listener, and leaving later aborts nothing', async () => {
  const controller = new AbortController();
  const watch = watchSignal(controller.signal);
  for (const path of ['/whole', '/chunks']) {
    const answer = await open(path, watch);
    await answer.body.text();
  }
  const failed = await open('/reset', watch).then(() => undefined, (error: unknown) => error);
  assert.ok(failed instanceof GatewayError, `a reset upstream is a GatewayError, got ${String(failed)}`);
  assert.equal(getEventListeners(controller.signal, 'abort').length, 0);
  const client = new TestClient();
  await (await open('/whole', client)).body.text();
  assert.equal(client.watching, 0);
  controller.abort();
});

test('a client already gone sends nothing', async () => {
  const client = new TestClient();
  client.leave();
  const seen = upstream.requests.length;
  await assert.rejects(open('/whole', client), (error: unknown) => isAbort(error));
  assert.equal(upstream.requests.length, seen);
});

test('a reader that throws stops the body and rejects with its error', async () => {
  const answer = await open('/endless');
  await assert.rejects(
    answer.body.each(() => {
      throw new Error('reader failed');
    }),
    /reader failed/,
  );
});

test('pause holds the upstream back until resume', async () => {
  const answer = await open('/chunks');
  const seen: string[] = [];
  answer.body.pause();
  const reading = answer.body.each((chunk) => seen.push(chunk.toString('utf8')));
  await delay(40);
  const whilePaused = seen.join('').length;
  answer.body.resume();
  await reading;
  assert.ok(whilePaused < seen.join('').length, 'nothing arrived after resume');
  assert.equal(seen.join(''), [0, 1, 2, 3, 4].map((index) => `data: ${index}\n\n`).join(''));
});

test('dump reads a small body through and cuts a large one', async () => {
  const small = await open('/whole');
  await small.body.dump();
  const large = await open('/big');
  assert.equal(large.statusCode, 500);
  await large.body.dump();
});

test('a reset before the headers is a 502, a silent upstream a 504', async () => {
  await assert.rejects(open('/reset'), (error: unknown) => error instanceof GatewayError && error.status === 502 && error.code === 'upstream_unreachable');
  configureUpstream({ headersMs: 100, bodyMs: 100 });
  try {
    await assert.rejects(open('/silent'), (error: unknown) => error instanceof GatewayError && error.status === 504);
  } finally {
    configureUpstream(DEFAULT_TIMEOUTS);
  }
});
