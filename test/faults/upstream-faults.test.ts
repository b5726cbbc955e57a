import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import { after, before, test } from 'node:test';
import { sendEvents, sendJson } from '../support/fake-upstream.js';
import { fixtureEvents } from '../support/fixtures.js';
import { assertOpenAIError, chatBody, FaultBench, send } from './fault-harness.js';

// Upstreams that misbehave. Timeouts are 1 s here, so the slow cases stay fast, and a loaded machine
// (the fake upstream shares this process) does not turn an answer into a 504.
const TIMEOUTS = { headersMs: 1_000, bodyMs: 1_000 };
const bench = new FaultBench();
const recorded = fixtureEvents('openai/chat-stream-text-include-usage-gpt-4o.openai-python.sse');
const chat = (stream: boolean) => send({ port: bench.gateway.port, path: '/v1/chat/completions', body: chatBody(stream) });

/** The data payloads of an SSE body, in order. */
const dataOf = (body: string): string[] =>
  body
    .split('\n\n')
    .map((block) => block.split('\n').find((line) => line.startsWith('data: '))?.slice(6))
    .filter((data): data is string => data !== undefined);

before(() => bench.start(TIMEOUTS));
after(() => bench.stop());

test('an upstream that never answers: 504 once the headers timeout passes', async () => {
  bench.mark(() => undefined); // holds the request open until the gateway gives up
  const started = Date.now();
  assertOpenAIError(await chat(false), 504);
  const waited = Date.now() - started;
  assert.ok(waited < TIMEOUTS.headersMs + 4_000, `answered after ${waited} ms`);
  await bench.assertRecovered();
});

test('an upstream that stalls mid-stream: the events so far, then an SSE error, then the end', async () => {
  bench.mark((_request, response) => {
    response.writeHead(200, { 'content-type': 'text/event-stream' });
    response.write(recorded[0]);
    response.write(recorded[1]); // and then nothing: the body timeout fires
  });
  const answer = await chat(true);
  assert.equal(answer.status, 200);
  const events = dataOf(answer.body);
  assert.equal(events.length, 3, answer.body);
  assert.match(events[2] as string, /"error"/);
  assert.equal(JSON.parse(events[2] as string).error.code, 'upstream_stream_broken');
  await bench.assertRecovered();
});

test('an upstream whose socket is destroyed mid-stream: the client gets the error event, not a hang', async () => {
  bench.mark((_request, response) => {
    response.writeHead(200, { 'content-type': 'text/event-stream' });
    response.write(recorded.slice(0, 3).join(''), () => setTimeout(() => response.socket?.destroy(), 20));
  });
  const answer = await chat(true);
  assert.equal(answer.status, 200);
  const events = dataOf(answer.body);
  assert.equal(events.length, 4, answer.body);
  assert.equal(JSON.parse(events[3] as string).error.code, 'upstream_stream_broken');
  await bench.assertRecovered();
});

test('an upstream whose socket is destroyed before it answers: 502', async () => {
  bench.mark((_request, response) => {
    response.socket?.destroy();
  });
  assertOpenAIError(await chat(false), 502);
  assertOpenAIError(await chat(true), 502);
  await bench.assertRecovered();
});

/** A whole answer that starts, then breaks off (its socket destroyed) or stalls (the body timeout). */
const startWhole = (response: ServerResponse): void => {
  response.writeHead(200, { 'content-type': 'application/json', 'content-length': '4096' });
  response.write('{"id":"chatcmpl-1","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"Hel');
};

const wholeLanes = [
  // The relay lane reads the whole answer to observe its usage; the translated lane's adapter reads it to decode it.
  { name: 'the relay lane', path: '/v1/chat/completions', body: chatBody(false) },
  { name: 'a translated lane (Anthropic client)', path: '/v1/messages', body: JSON.stringify({ model: 'gpt-4o', max_tokens: 64, messages: [{ role: 'user', content: 'hi' }] }) },
];

for (const lane of wholeLanes) {
  test(`a whole answer cut off mid-body on ${lane.name}: 502 when the socket goes, 504 when it stalls, never a 500`, async () => {
    const call = () => send({ port: bench.gateway.port, path: lane.path, body: lane.body });
    bench.mark((_request, response) => {
      startWhole(response);
      setTimeout(() => response.socket?.destroy(), 20);
    });
    const broken = await call();
    assert.equal(broken.status, 502, broken.body);
    assert.match(broken.body, /broke off/);
    bench.mark((_request, response) => startWhole(response)); // and then nothing: the body timeout fires
    const stalled = await call();
    assert.equal(stalled.status, 504, stalled.body);
    assert.match(stalled.body, /did not answer in time/);
    await bench.assertRecovered();
  });
}

test('garbage instead of SSE: passed along or dropped, and the stream ends', async () => {
  const garbage = ['data: {not json\n\n', 'event: weird\ndata: \u0000\u0001\u0002\n\n', '\u00ff\u00fe binary-ish line without framing\n', 'data: {"choices":[],"usage":{"prompt_tokens":"many"}}\n\n', ': comment\n\n', 'data: [DONE]\n\n'];
  bench.mark((_request, response) => void sendEvents(response, garbage));
  const answer = await chat(true);
  assert.equal(answer.status, 200);
  assert.ok(answer.body.includes('data: {not json'));
  assert.ok(answer.body.trimEnd().endsWith('data: [DONE]'));
  await bench.assertRecovered();
});

test('a stream of invalid UTF-8 bytes ends cleanly', async () => {
  bench.mark((_request, response) => {
    response.writeHead(200, { 'content-type': 'text/event-stream' });
    response.end(Buffer.from([0x64, 0x61, 0x74, 0x61, 0x3a, 0x20, 0xc3, 0x28, 0xff, 0xfe, 0x0a, 0x0a, 0xe2, 0x82]));
  });
  const answer = await chat(true);
  assert.equal(answer.status, 200);
  await bench.assertRecovered();
});

test('an HTML error page from the upstream becomes an OpenAI-shaped error with its status', async () => {
  bench.mark((_request, response) => {
    response.writeHead(502, { 'content-type': 'text/html' });
    response.end('<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>');
  });
  assertOpenAIError(await chat(false), 502);
  assertOpenAIError(await chat(true), 502);
  await bench.assertRecovered();
});

test('an HTML page with status 200 where JSON was expected: 502, not a crash', async () => {
  bench.mark((_request, response) => {
    response.writeHead(200, { 'content-type': 'text/html' });
    response.end('<html><body>Please log in to the captive portal</body></html>');
  });
  assertOpenAIError(await chat(false), 502);
  await bench.assertRecovered();
});

test('a storm of 429s: every client gets its 429 with Retry-After, and one record per call', async () => {
  bench.mark((_request, response) =>
    sendJson(response, 429, { error: { message: 'Rate limit reached', type: 'requests', param: null, code: 'rate_limit_exceeded' } }, { 'retry-after': '7' }),
  );
  const answers = await Promise.all(Array.from({ length: 60 }, (_value, index) => chat(index % 2 === 0)));
  for (const answer of answers) {
    assertOpenAIError(answer, 429);
    assert.equal(answer.headers['retry-after'], '7');
  }
  await bench.assertRecovered(60);
});
