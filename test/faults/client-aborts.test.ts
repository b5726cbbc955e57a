import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import { connect } from 'node:net';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { TEST_TOKEN } from '../support/gateway.js';
import { chatBody, eventually, FaultBench, openRequest } from './fault-harness.js';

// Clients that go away at every phase. Timeouts are long here: what ends the upstream request must
// be the client's abort, not a timeout.
const bench = new FaultBench();
let reached = 0;
let upstreamClosed = 0;

before(() => bench.start({ headersMs: 20_000, bodyMs: 20_000 }));
after(() => bench.stop());

/** Counts the model calls that arrived and those the gateway then cut. */
const watched = (answer: (response: ServerResponse) => void) => (_request: unknown, response: ServerResponse) => {
  reached += 1;
  response.once('close', () => {
    if (!response.writableFinished) upstreamClosed += 1;
  });
  answer(response);
};

const streamForever = (response: ServerResponse) => {
  response.writeHead(200, { 'content-type': 'text/event-stream' });
  let index = 0;
  const timer = setInterval(() => {
    response.write(`data: {"choices":[{"index":0,"delta":{"content":"tick ${index++}"}}]}\n\n`);
  }, 5);
  response.once('close', () => clearInterval(timer));
};

const resetCounters = () => {
  reached = 0;
  upstreamClosed = 0;
};

test('a client that leaves before the upstream answers: the upstream request is cancelled', async () => {
  resetCounters();
  bench.mark(watched(() => undefined));
  const outgoing = openRequest({ port: bench.gateway.port, path: '/v1/chat/completions' });
  outgoing.on('error', () => undefined);
  outgoing.end(chatBody(false));
  await eventually(() => reached === 1, () => 'the request never reached the upstream');
  outgoing.destroy();
  await eventually(() => upstreamClosed === 1, () => 'the gateway kept the upstream request open after its client left');
  await bench.assertRecovered(1);
});

test('a client that leaves right after the response headers', async () => {
  resetCounters();
  bench.mark(
    watched((response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.flushHeaders();
    }),
  );
  await new Promise<void>((resolve) => {
    const outgoing = openRequest({ port: bench.gateway.port, path: '/v1/chat/completions' }, (incoming) => {
      assert.equal(incoming.statusCode, 200);
      outgoing.destroy();
      resolve();
    });
    outgoing.on('error', () => undefined);
    outgoing.end(chatBody(true));
  });
  await eventually(() => upstreamClosed === 1, () => 'the upstream stream outlived its client');
  await bench.assertRecovered(1);
});

test('clients that leave mid-stream, fifty at once: every upstream stream is cut, one record each', async () => {
  resetCounters();
  bench.mark(watched(streamForever));
  const leaveAfterThreeEvents = () =>
    new Promise<void>((resolve, reject) => {
      const outgoing = openRequest({ port: bench.gateway.port, path: '/v1/chat/completions' }, (incoming) => {
        let seen = '';
        incoming.on('data', (chunk: Buffer) => {
          seen += chunk.toString('utf8');
          if (seen.split('\n\n').length > 3) {
            outgoing.destroy();
            resolve();
          }
        });
        incoming.on('error', () => undefined);
      });
      outgoing.on('error', (error) => (outgoing.destroyed ? undefined : reject(error)));
      outgoing.end(chatBody(true));
    });
  await Promise.all(Array.from({ length: 50 }, leaveAfterThreeEvents));
  await eventually(() => upstreamClosed === 50, () => `${upstreamClosed} of 50 upstream streams were cut`);
  await bench.assertRecovered(50);
});

test('a client that leaves while uploading a multipart body: nothing reaches a model, nothing hangs', async () => {
  resetCounters();
  bench.mark(watched((response) => response.end('{}')));
  const boundary = 'fault-boundary';
  const outgoing = openRequest({
    port: bench.gateway.port,
    path: '/v1/audio/transcriptions',
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}`, 'content-length': String(8 * 1024 * 1024) },
  });
  outgoing.on('error', () => undefined);
  outgoing.write(`--${boundary}\r\ncontent-disposition: form-data; name="model"\r\n\r\nwhisper-1\r\n--${boundary}\r\ncontent-disposition: form-data; name="file"; filename="a.mp3"\r\ncontent-type: audio/mpeg\r\n\r\n`);
  outgoing.write(Buffer.alloc(512 * 1024, 1));
  await sleep(50);
  outgoing.destroy();
  await bench.assertRecovered(0);
  assert.equal(reached, 0);
});

test('a client that leaves in the middle of a JSON body', async () => {
  resetCounters();
  bench.mark(watched((response) => response.end('{}')));
  const outgoing = openRequest({ port: bench.gateway.port, path: '/v1/chat/completions', headers: { 'content-length': '100000' } });
  outgoing.on('error', () => undefined);
  outgoing.write('{"model":"gpt-4o","messages":[{"role":"user","content":"');
  await sleep(30);
  outgoing.destroy();
  await bench.assertRecovered(0);
  assert.equal(reached, 0);
});

test('a client that leaves in the middle of its request headers', async () => {
  resetCounters();
  bench.mark(watched((response) => response.end('{}')));
  const socket = connect(bench.gateway.port, '127.0.0.1');
  socket.on('error', () => undefined);
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  socket.write(`POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1:${bench.gateway.port}\r\nAuthorization: Bearer ${TEST_TOKEN}\r\nContent-Ty`);
  await sleep(30);
  socket.destroy();
  await bench.assertRecovered(0);
  assert.equal(reached, 0);
});
