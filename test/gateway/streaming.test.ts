import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import { connect } from 'node:net';
import { after, before, test } from 'node:test';
import { APIError } from 'openai';
import { FakeUpstream, sendEvents, sendJson } from '../support/fake-upstream.js';
import { fixtureEvents, fixtureJson } from '../support/fixtures.js';
import { TEST_TOKEN } from '../support/gateway.js';
import { eventually, jsonHeaders, openConnections, rawRequest, signal, startHarness, type Harness } from './harness.js';

let harness: Harness;

before(async () => {
  harness = await startHarness(new FakeUpstream());
});

after(() => harness.close());

const TEXT_STREAM = 'openai/chat-stream-text-include-usage-gpt-4o.openai-python.sse';
const chatBody = (extra: Record<string, unknown> = {}) => JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }], stream: true, ...extra });

/** Resolves when the fake upstream's response to a request is closed from the gateway's side. */
const closedFromAfar = (response: ServerResponse): Promise<void> =>
  new Promise((resolve) => {
    if (response.destroyed) resolve();
    else response.once('close', () => resolve());
  });

test('each upstream event reaches the client before the upstream sends the next one', { timeout: 10_000 }, async () => {
  const events = fixtureEvents(TEXT_STREAM).filter((event) => !event.includes('[DONE]'));
  const received = events.map(() => signal());
  harness.upstream.on('POST /v1/chat/completions', async (_request, response) => {
    response.writeHead(200, { 'content-type': 'text/event-stream' });
    for (const [index, event] of events.entries()) {
      response.write(event);
      // The next event is held back until the client has this one: a gateway that buffers
      // (the whole body, or one event behind) never lets this test finish.
      await received[index]!.promise;
    }
    response.end('data: [DONE]\n\n');
  });
  const stream = await harness.client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }], stream: true, stream_options: { include_usage: true } });
  let count = 0;
  for await (const chunk of stream) {
    assert.deepEqual(chunk, JSON.parse(events[count]!.slice('data: '.length)));
    received[count]!.resolve();
    count += 1;
  }
  assert.equal(count, events.length);
});

test('the usage-only chunk nobody asked for is held back without holding back anything else', { timeout: 10_000 }, async () => {
  const events = fixtureEvents(TEXT_STREAM).filter((event) => !event.includes('[DONE]') && !event.includes('"usage"'));
  const received = events.map(() => signal());
  harness.upstream.on('POST /v1/chat/completions', async (_request, response) => {
    response.writeHead(200, { 'content-type': 'text/event-stream' });
    for (const [index, event] of events.entries()) {
      response.write(event);
      await received[index]!.promise;
    }
    response.end(fixtureEvents(TEXT_STREAM).filter((event) => event.includes('"usage"') || event.includes('[DONE]')).join(''));
  });
  const stream = await harness.client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }], stream: true });
  let count = 0;
  for await (const chunk of stream) {
    assert.equal(chunk.usage, undefined);
    received[count]!.resolve();
    count += 1;
  }
  assert.equal(count, events.length);
});

test('an event split across many small upstream writes arrives whole', async () => {
  const text = fixtureEvents(TEXT_STREAM).join('');
  harness.upstream.on('POST /v1/chat/completions', async (_request, response) => {
    response.writeHead(200, { 'content-type': 'text/event-stream' });
    const bytes = Buffer.from(text);
    // Seven-byte writes cut events, lines and multi-byte characters anywhere.
    for (let offset = 0; offset < bytes.length; offset += 7) response.write(bytes.subarray(offset, offset + 7));
    response.end();
  });
  const answer = await rawRequest(harness.gateway.port, { method: 'POST', path: '/v1/chat/completions', headers: jsonHeaders(), body: chatBody({ stream_options: { include_usage: true } }) });
  assert.equal(answer.status, 200);
  assert.equal(answer.text, text);
});

test('data: [DONE] is kept and the SSE headers are right', async () => {
  harness.upstream.on('POST /v1/chat/completions', (_request, response) => sendEvents(response, fixtureEvents(TEXT_STREAM)));
  const answer = await rawRequest(harness.gateway.port, { method: 'POST', path: '/v1/chat/completions', headers: jsonHeaders(), body: chatBody() });
  assert.equal(answer.status, 200);
  assert.match(String(answer.headers['content-type']), /^text\/event-stream/);
  assert.equal(answer.headers['cache-control'], 'no-cache');
  assert.ok(answer.text.endsWith('data: [DONE]\n\n'));
  assert.equal(answer.text.match(/data: \[DONE\]/g)?.length, 1);
});

test('a stream request the upstream refuses gets a plain JSON error, none of the stream\'s headers', async () => {
  harness.upstream.on('POST /v1/chat/completions', (_request, response) => sendJson(response, 429, { error: { message: 'Rate limit reached', type: 'requests', code: 'rate_limit_exceeded', param: null } }, { 'retry-after': '3' }));
  const answer = await rawRequest(harness.gateway.port, { method: 'POST', path: '/v1/chat/completions', headers: jsonHeaders(), body: chatBody() });
  assert.equal(answer.status, 429);
  assert.match(String(answer.headers['content-type']), /^application\/json/);
  assert.equal(answer.headers['retry-after'], '3');
  for (const name of ['cache-control', 'x-accel-buffering', 'x-modapi-provider', 'x-modapi-model']) assert.equal(answer.headers[name], undefined, name);
  assert.equal(answer.json().error.code, 'rate_limit_exceeded');
});

test('OpenRouter comment lines pass through', async () => {
  const path = 'openai-compatible/openrouter-chat-stream-fragment-processing-comments.openai-go-227.sse';
  harness.upstream.on('POST /v1/chat/completions', (_request, response) => sendEvents(response, fixtureEvents(path)));
  const answer = await rawRequest(harness.gateway.port, { method: 'POST', path: '/v1/chat/completions', headers: jsonHeaders(), body: chatBody() });
  assert.equal(answer.text.match(/^: OPENROUTER PROCESSING$/gm)?.length, 2);
  assert.equal(answer.text, fixtureEvents(path).join(''));
});

test('the upstream request is aborted when the client goes away mid-stream', { timeout: 10_000 }, async () => {
  const upstreamClosed = signal<{ closed: Promise<void> }>();
  harness.upstream.on('POST /v1/chat/completions', async (_request, response) => {
    response.writeHead(200, { 'content-type': 'text/event-stream' });
    response.write(fixtureEvents(TEXT_STREAM)[0]);
    // Never finishes on its own: only the gateway closing the connection ends this request.
    upstreamClosed.resolve({ closed: closedFromAfar(response) });
  });
  const controller = new AbortController();
  const stream = await harness.client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }], stream: true }, { signal: controller.signal });
  const iterator = stream[Symbol.asyncIterator]();
  assert.equal((await iterator.next()).done, false);
  controller.abort();
  await (await upstreamClosed.promise).closed;
  await eventually(() => harness.sockets.busy() === 0, 'the request no longer holds a socket');
});

test('the upstream request is aborted when the client goes away before the first event', { timeout: 10_000 }, async () => {
  const upstreamClosed = signal<{ closed: Promise<void> }>();
  harness.upstream.on('POST /v1/chat/completions', async (_request, response) => {
    upstreamClosed.resolve({ closed: closedFromAfar(response) });
  });
  const controller = new AbortController();
  const pending = harness.client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }], stream: true }, { signal: controller.signal });
  const rejected = assert.rejects(pending);
  const { closed } = await upstreamClosed.promise;
  controller.abort();
  await rejected;
  await closed;
});

test('a binary download is aborted upstream when the client goes away', { timeout: 10_000 }, async () => {
  const upstreamClosed = signal<{ closed: Promise<void> }>();
  harness.upstream.on('POST /v1/audio/speech', async (_request, response) => {
    response.writeHead(200, { 'content-type': 'audio/mpeg' });
    response.write(Buffer.alloc(10_000, 1));
    upstreamClosed.resolve({ closed: closedFromAfar(response) });
  });
  const controller = new AbortController();
  const answer = await harness.client.audio.speech.create({ model: 'tts-1', voice: 'alloy', input: 'hi' }, { signal: controller.signal });
  const reader = answer.body!.getReader();
  await reader.read();
  controller.abort();
  await (await upstreamClosed.promise).closed;
});

test('an upstream that breaks mid-stream gives the client an error event and a clean end', async () => {
  harness.upstream.on('POST /v1/chat/completions', (_request, response) => {
    response.writeHead(200, { 'content-type': 'text/event-stream' });
    const events = fixtureEvents(TEXT_STREAM);
    response.write(events[0]! + events[1]!);
    // Half an event, then the connection dies.
    response.write('data: {"id":"chatcmpl-cut","choi');
    setImmediate(() => response.socket?.destroy());
  });
  const answer = await rawRequest(harness.gateway.port, { method: 'POST', path: '/v1/chat/completions', headers: jsonHeaders(), body: chatBody() });
  assert.equal(answer.status, 200);
  const blocks = answer.text.split('\n\n').filter(Boolean);
  assert.equal(blocks.length, 3, 'two events, then the error event; the half event is not forwarded');
  const error = JSON.parse(blocks[2]!.slice('data: '.length));
  assert.equal(error.error.code, 'upstream_stream_broken');
  assert.equal(error.error.type, 'upstream_error');
  assert.ok(answer.text.endsWith('\n\n'));

  // The official client raises it as an APIError after the chunks that did arrive.
  const stream = await harness.client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }], stream: true });
  let chunks = 0;
  await assert.rejects(
    (async () => {
      for await (const chunk of stream) chunks += chunk.choices.length > 0 ? 1 : 0;
    })(),
    (thrown: unknown) => thrown instanceof APIError && /broke off/.test(thrown.message),
  );
  assert.equal(chunks, 2);
});

test('an error event the upstream itself sends mid-stream passes through to the client', async () => {
  harness.upstream.on('POST /v1/chat/completions', (_request, response) =>
    sendEvents(response, [fixtureEvents(TEXT_STREAM)[0]!, 'data: {"error":{"message":"The server had an error while processing your request.","type":"server_error","param":null,"code":null}}\n\n']),
  );
  const stream = await harness.client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }], stream: true });
  await assert.rejects(
    (async () => {
      for await (const chunk of stream) assert.ok(chunk);
    })(),
    (thrown: unknown) => thrown instanceof APIError && /server had an error/.test(thrown.message),
  );
});

test('after all of this the gateway holds no connection and still serves', async () => {
  await eventually(() => harness.sockets.busy() === 0, 'no request holds a socket');
  harness.upstream.on('POST /v1/chat/completions', (_request, response) => sendEvents(response, fixtureEvents(TEXT_STREAM)));
  const answer = await rawRequest(harness.gateway.port, { method: 'POST', path: '/v1/chat/completions', headers: jsonHeaders(), body: chatBody() });
  assert.equal(answer.status, 200);
  await eventually(() => !harness.sockets.isOpen(answer.localPort), 'the raw request closed its socket');
  assert.equal(await openConnections(harness.gateway), harness.sockets.open());
});

test('a stream request answered with a whole JSON completion still reaches the client as a stream', async () => {
  const recorded = fixtureJson('openai/chat-completion-text-gpt-4-1-nano.vercel.json');
  harness.upstream.on('POST /v1/chat/completions', (_request, response) => sendJson(response, 200, recorded));
  const stream = await harness.client.chat.completions.create({ model: 'gpt-4.1-nano', messages: [{ role: 'user', content: 'hi' }], stream: true, stream_options: { include_usage: true } });
  let text = '';
  let usage: unknown;
  let finish: string | null | undefined;
  for await (const chunk of stream) {
    text += chunk.choices[0]?.delta.content ?? '';
    finish = chunk.choices[0]?.finish_reason ?? finish;
    if (chunk.usage) usage = chunk.usage;
  }
  assert.equal(text, recorded.choices[0].message.content);
  assert.equal(finish, recorded.choices[0].finish_reason);
  assert.equal((usage as { total_tokens: number }).total_tokens, recorded.usage.total_tokens);
});

test('a client that sends its whole request and hangs up at once: the upstream request is aborted', { timeout: 10_000 }, async () => {
  const upstreamClosed = signal<{ closed: Promise<void> }>();
  harness.upstream.on('POST /v1/chat/completions', async (_request, response) => {
    response.writeHead(200, { 'content-type': 'text/event-stream' });
    response.write(fixtureEvents(TEXT_STREAM)[0]);
    upstreamClosed.resolve({ closed: closedFromAfar(response) });
  });
  const body = chatBody();
  const socket = connect(harness.gateway.port, '127.0.0.1', () => {
    socket.end(`POST /v1/chat/completions HTTP/1.1\r\nhost: 127.0.0.1:${harness.gateway.port}\r\nauthorization: Bearer ${TEST_TOKEN}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
    socket.destroy();
  });
  await (await upstreamClosed.promise).closed;
});

test('a legacy completions stream that breaks gets the same error event and clean end', async () => {
  const events = fixtureEvents('openai/legacy-completions-stream.vercel.jsonl');
  harness.upstream.on('POST /v1/completions', (_request, response) => {
    response.writeHead(200, { 'content-type': 'text/event-stream' });
    response.write(events[0]! + events[1]!);
    setImmediate(() => response.socket?.destroy());
  });
  const answer = await rawRequest(harness.gateway.port, { method: 'POST', path: '/v1/completions', headers: jsonHeaders(), body: JSON.stringify({ model: 'gpt-3.5-turbo-instruct', prompt: 'x', stream: true }) });
  const blocks = answer.text.split('\n\n').filter(Boolean);
  assert.equal(blocks.length, 3);
  assert.equal(JSON.parse(blocks[2]!.slice('data: '.length)).error.code, 'upstream_stream_broken');
});

test('a binary answer that breaks is cut for the client too, never passed off as complete', async () => {
  harness.upstream.on('POST /v1/audio/speech', (_request, response) => {
    response.writeHead(200, { 'content-type': 'audio/mpeg', 'content-length': '100000' });
    response.write(Buffer.alloc(20_000, 1));
    setImmediate(() => response.socket?.destroy());
  });
  const answer = await harness.client.audio.speech.create({ model: 'tts-1', voice: 'alloy', input: 'hi' });
  await assert.rejects(answer.arrayBuffer());
});
