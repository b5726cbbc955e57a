import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import { connect, createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import OpenAI, { APIError, toFile } from 'openai';
import { FakeUpstream, sendJson } from '../support/fake-upstream.js';
import { fixtureEvents, fixtureJson, fixtureText } from '../support/fixtures.js';
import { startTestGateway, TEST_KEY, TEST_TOKEN } from '../support/gateway.js';
import type { RunningGateway } from '../../proxy/server/gateway-server.js';
import { eventually, jsonHeaders, openConnections, rawRequest, signal, startHarness, type Harness } from './harness.js';

const JSON_LIMIT = 64 * 1024;
const UPLOAD_LIMIT = 256 * 1024;
// Short enough to test 504s quickly, long enough that a loaded CI machine answers everything else in time.
const TIMEOUT_MS = 1_500;

let harness: Harness;
let unreachable: RunningGateway;
let unreachableClient: OpenAI;
/** Requests the fake upstream left unanswered, each resolved when the gateway gave up on it. */
const abandoned: Promise<void>[] = [];

const freePort = (): Promise<number> =>
  new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });

before(async () => {
  harness = await startHarness(new FakeUpstream(), { limits: { jsonBytes: JSON_LIMIT, uploadBytes: UPLOAD_LIMIT }, timeouts: { headersMs: TIMEOUT_MS, bodyMs: TIMEOUT_MS } });
  // A provider whose port nobody listens on.
  unreachable = await startTestGateway({ providers: { modapi: { baseUrl: `http://127.0.0.1:${await freePort()}/v1`, apiKey: TEST_KEY } } });
  unreachableClient = new OpenAI({ baseURL: unreachable.url, apiKey: TEST_TOKEN, maxRetries: 0 });
});

after(async () => {
  await unreachable.close();
  await harness.close();
});

const chat = (extra: Record<string, unknown> = {}) => ({ model: 'gpt-4o', messages: [{ role: 'user' as const, content: 'hi' }], ...extra });

const rejectsWith = async (promise: Promise<unknown>, expected: { status: number; type?: string; code?: string | null; message?: RegExp }): Promise<APIError> => {
  let caught: unknown;
  await assert.rejects(promise, (error: unknown) => {
    caught = error;
    return true;
  });
  assert.ok(caught instanceof APIError, String(caught));
  assert.equal(caught.status, expected.status, caught.message);
  if (expected.type !== undefined) assert.equal(caught.type, expected.type);
  if (expected.code !== undefined) assert.equal(caught.code, expected.code);
  if (expected.message) assert.match(caught.message, expected.message);
  return caught;
};

test('malformed JSON: 400 invalid_request_error', async () => {
  for (const body of ['{"model": "gpt-4o", "messages": [', 'not json at all', '']) {
    const answer = await rawRequest(harness.gateway.port, { method: 'POST', path: '/v1/chat/completions', headers: jsonHeaders(), body });
    assert.equal(answer.status, 400, body);
    assert.equal(answer.json().error.type, 'invalid_request_error');
    assert.equal(answer.json().error.code, 'invalid_json');
  }
  const array = await rawRequest(harness.gateway.port, { method: 'POST', path: '/v1/embeddings', headers: jsonHeaders(), body: '[1,2]' });
  assert.equal(array.status, 400);
});

test('a body the gateway cannot use: 400 naming the parameter', async () => {
  await rejectsWith(harness.client.chat.completions.create({ model: 'gpt-4o', messages: [] }), { status: 400, type: 'invalid_request_error', message: /messages/ });
  await rejectsWith(harness.client.chat.completions.create({ messages: [{ role: 'user', content: 'hi' }] } as any), { status: 400, type: 'invalid_request_error', message: /model/ });
  await rejectsWith(harness.client.chat.completions.create(chat({ stream: 'yes' }) as any), { status: 400, message: /stream/ });
  const notMultipart = await rawRequest(harness.gateway.port, { method: 'POST', path: '/v1/audio/transcriptions', headers: jsonHeaders(), body: '{"model":"whisper-1"}' });
  assert.equal(notMultipart.status, 400);
  assert.equal(harness.upstream.requests.length, 0, 'nothing reached the upstream');
});

test('a JSON body over the limit: 413, whether its length is declared or it is chunked', async () => {
  const big = JSON.stringify(chat({ messages: [{ role: 'user', content: 'x'.repeat(JSON_LIMIT) }] }));
  await rejectsWith(harness.client.chat.completions.create(JSON.parse(big)), { status: 413, code: 'request_too_large' });
  const declared = await rawRequest(harness.gateway.port, { method: 'POST', path: '/v1/chat/completions', headers: jsonHeaders(), body: big });
  assert.equal(declared.status, 413);
  const chunked = await rawRequest(harness.gateway.port, { method: 'POST', path: '/v1/embeddings', headers: jsonHeaders({ 'transfer-encoding': 'chunked' }), body: Buffer.from(big) });
  assert.equal(chunked.status, 413);
  assert.equal(chunked.json().error.type, 'invalid_request_error');
  // Just under the limit still passes.
  harness.upstream.on('POST /v1/chat/completions', (_request, response) => sendJson(response, 200, fixtureJson('openai/chat-completion-text-gpt-4-1-nano.vercel.json')));
  await harness.client.chat.completions.create(chat({ messages: [{ role: 'user', content: 'x'.repeat(JSON_LIMIT - 200) }] }));
});

test('an upload over the limit: 413', async () => {
  const before = harness.upstream.requests.length;
  const file = await toFile(Buffer.alloc(UPLOAD_LIMIT + 1024, 7), 'big.mp3', { type: 'audio/mpeg' });
  await rejectsWith(harness.client.audio.transcriptions.create({ model: 'whisper-1', file }), { status: 413, code: 'request_too_large' });
  await rejectsWith(harness.client.images.edit({ model: 'gpt-image-1', prompt: 'x', image: await toFile(Buffer.alloc(UPLOAD_LIMIT + 1024, 7), 'big.png', { type: 'image/png' }) }), { status: 413 });
  assert.equal(harness.upstream.requests.length, before);
});

test('an unknown provider: 404 model_not_found', async () => {
  await rejectsWith(harness.client.chat.completions.create(chat({ model: 'nope/model' })), { status: 404, code: 'model_not_found', message: /nope\/model/ });
  await rejectsWith(harness.client.embeddings.create({ model: 'nope/embed', input: 'x' }), { status: 404, code: 'model_not_found' });
  await rejectsWith(harness.client.images.generate({ model: 'nope/img', prompt: 'x' }), { status: 404, code: 'model_not_found' });
});

test('no key for the chosen provider: 401 naming what to set', async () => {
  await rejectsWith(harness.client.chat.completions.create(chat({ model: 'openai/gpt-4o' })), { status: 401, code: 'missing_api_key', message: /OPENAI_API_KEY/ });
  await rejectsWith(harness.client.chat.completions.create(chat({ model: 'groq/llama-3.3-70b' })), { status: 401, message: /GROQ_API_KEY/ });
  await rejectsWith(harness.client.audio.speech.create({ model: 'openai/tts-1', voice: 'alloy', input: 'x' }), { status: 401, message: /OPENAI_API_KEY/ });
});

const RECORDED_ERRORS = [
  { path: 'openai/error-400-context-length-exceeded.chatbot-ui-102.json', status: 400 },
  { path: 'openai/error-401-invalid-api-key.gpt-api-free-427.json', status: 401 },
  { path: 'openai/error-429-insufficient-quota.vercel.json', status: 429 },
  { path: 'openai/error-429-request-too-large-tpm-tokens.climb-13.json', status: 429, retryAfter: '20' },
  { path: 'openai/error-400-unsupported-parameter-max-tokens.vercel.json', status: 400 },
];

for (const recorded of RECORDED_ERRORS) {
  for (const stream of [false, true]) {
    test(`upstream ${recorded.status} (${recorded.path}), ${stream ? 'streamed' : 'not streamed'}: same status, the upstream's error kept`, async () => {
      const body = fixtureJson(recorded.path);
      harness.upstream.on('POST /v1/chat/completions', (_request, response) => {
        response.writeHead(recorded.status, { 'content-type': 'application/json', ...(recorded.retryAfter ? { 'retry-after': recorded.retryAfter } : {}) });
        response.end(fixtureText(recorded.path));
      });
      const error = await rejectsWith(harness.client.chat.completions.create(chat({ stream })), { status: recorded.status, type: body.error.type, code: body.error.code, message: new RegExp(escape(body.error.message.slice(0, 40))) });
      assert.equal(error.param, body.error.param);
      assert.equal(error.headers?.get('retry-after') ?? undefined, recorded.retryAfter);
    });
  }
}

const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

test('an images error recorded from OpenAI keeps its param and code', async () => {
  harness.upstream.on('POST /v1/images/generations', (_request, response) => {
    response.writeHead(400, { 'content-type': 'application/json' });
    response.end(fixtureText('openai/error-400-images-unknown-parameter.vercel.json'));
  });
  const error = await rejectsWith(harness.client.images.generate({ model: 'gpt-image-1', prompt: 'x', response_format: 'url' }), { status: 400, type: 'invalid_request_error', code: 'unknown_parameter', message: /Unknown parameter/ });
  assert.equal(error.param, 'response_format');
});

test('upstream 5xx with Retry-After: status and header kept, on every endpoint kind', async () => {
  const failure = (status: number) => (_request: unknown, response: ServerResponse) => sendJson(response, status, { error: { message: `upstream says ${status}`, type: 'server_error', param: null, code: null } }, { 'retry-after': '7' });
  harness.upstream.on('POST /v1/chat/completions', failure(503)).on('POST /v1/embeddings', failure(500)).on('POST /v1/audio/speech', failure(502)).on('POST /v1/audio/transcriptions', failure(503));
  for (const [call, status] of [
    [() => harness.client.chat.completions.create(chat()), 503],
    [() => harness.client.embeddings.create({ model: 'text-embedding-3-small', input: 'x' }), 500],
    [() => harness.client.audio.speech.create({ model: 'tts-1', voice: 'alloy', input: 'x' }), 502],
    [async () => harness.client.audio.transcriptions.create({ model: 'whisper-1', file: await toFile(Buffer.from('abc'), 'a.mp3') }), 503],
  ] as const) {
    const error = await rejectsWith(call(), { status, message: new RegExp(`upstream says ${status}`) });
    assert.equal(error.headers?.get('retry-after'), '7');
  }
});

test('an HTML error page from the upstream: a clean OpenAI-shaped error with its status', async () => {
  const page = '<html><head><title>502 Bad Gateway</title><style>body{color:red}</style></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>';
  harness.upstream.on('POST /v1/chat/completions', (_request, response) => {
    response.writeHead(502, { 'content-type': 'text/html' });
    response.end(page);
  });
  const error = await rejectsWith(harness.client.chat.completions.create(chat()), { status: 502 });
  assert.ok(!/[<>]/.test(error.message), error.message);
  assert.match(error.message, /502 Bad Gateway/);
  const answer = await rawRequest(harness.gateway.port, { method: 'POST', path: '/v1/chat/completions', headers: jsonHeaders(), body: JSON.stringify(chat()) });
  assert.match(String(answer.headers['content-type']), /application\/json/);
  assert.deepEqual(Object.keys(answer.json().error).sort(), ['code', 'message', 'param', 'type']);
});

test('a 200 answer that is not JSON: 502, not a crash', async () => {
  harness.upstream.on('POST /v1/chat/completions', (_request, response) => {
    response.writeHead(200, { 'content-type': 'text/html' });
    response.end('<html>captive portal</html>');
  });
  await rejectsWith(harness.client.chat.completions.create(chat()), { status: 502, code: 'bad_upstream_response' });
});

test('a stream request answered with a JSON error body under status 200: the error reaches the client', async () => {
  harness.upstream.on('POST /v1/chat/completions', (_request, response) => sendJson(response, 200, { error: { message: 'Provider returned error', code: 429 } }));
  await rejectsWith(harness.client.chat.completions.create(chat({ stream: true })), { status: 429, message: /Provider returned error/ });
});

test('an error body under status 200 (OpenRouter) keeps the real status, streamed or not, on chat and other endpoints', async () => {
  const failure = { error: { message: 'Rate limit exceeded: free-models-per-min', code: 429, metadata: { headers: {} } } };
  harness.upstream.on('POST /v1/chat/completions', (_request, response) => sendJson(response, 200, failure)).on('POST /v1/embeddings', (_request, response) => sendJson(response, 200, failure));
  await rejectsWith(harness.client.chat.completions.create(chat()), { status: 429, message: /free-models-per-min/ });
  await rejectsWith(harness.client.embeddings.create({ model: 'text-embedding-3-small', input: 'x', encoding_format: 'float' }), { status: 429, message: /free-models-per-min/ });
  harness.upstream.on('POST /v1/embeddings', (_request, response) => sendJson(response, 200, { error: { message: 'no code given' } }));
  await rejectsWith(harness.client.embeddings.create({ model: 'text-embedding-3-small', input: 'x', encoding_format: 'float' }), { status: 502, message: /no code given/ });
});

test('a JSON answer of an unexpected shape is relayed, not a 500', async () => {
  harness.upstream.on('POST /v1/embeddings', (_request, response) => sendJson(response, 200, 'null'));
  const answer = await rawRequest(harness.gateway.port, { method: 'POST', path: '/v1/embeddings', headers: jsonHeaders(), body: '{"model":"text-embedding-3-small","input":"x"}' });
  assert.equal(answer.status, 200);
  assert.equal(answer.text, 'null');
});

test('upstream unreachable: 502', async () => {
  await rejectsWith(unreachableClient.chat.completions.create(chat()), { status: 502, code: 'upstream_unreachable', message: /could not be reached/ });
  await rejectsWith(unreachableClient.chat.completions.create(chat({ stream: true })), { status: 502, code: 'upstream_unreachable' });
  await rejectsWith(unreachableClient.embeddings.create({ model: 'text-embedding-3-small', input: 'x' }), { status: 502 });
});

/** A handler that never answers; the promise it leaves settles when the gateway hangs up. */
const neverAnswers = (headersFirst: boolean) => (_request: unknown, response: ServerResponse) => {
  const closed = signal();
  response.once('close', () => closed.resolve());
  abandoned.push(closed.promise);
  if (headersFirst) {
    response.writeHead(200, { 'content-type': 'text/event-stream' });
    response.write(fixtureEvents('openai/chat-stream-text-include-usage-gpt-4o.openai-python.sse')[0]);
  }
};

test('upstream too slow to answer: 504, and the gateway hangs up on it', async () => {
  harness.upstream.on('POST /v1/chat/completions', neverAnswers(false));
  await rejectsWith(harness.client.chat.completions.create(chat()), { status: 504, type: 'timeout_error', code: 'upstream_timeout' });
  await rejectsWith(harness.client.chat.completions.create(chat({ stream: true })), { status: 504 });
  await Promise.all(abandoned);
});

test('an upstream stream that stalls: an error event after the chunks, then a clean end', async () => {
  harness.upstream.on('POST /v1/chat/completions', neverAnswers(true));
  const answer = await rawRequest(harness.gateway.port, { method: 'POST', path: '/v1/chat/completions', headers: jsonHeaders(), body: JSON.stringify(chat({ stream: true })) });
  assert.equal(answer.status, 200);
  const events = answer.text.split('\n\n').filter(Boolean);
  assert.equal(events.length, 2);
  assert.match(events[1]!, /"code":"upstream_(timeout|stream_broken)"/);
  await Promise.all(abandoned);
});

test('a client that sends half a body and hangs up does not take anything down', async () => {
  await new Promise<void>((resolve, reject) => {
    const socket = connect(harness.gateway.port, '127.0.0.1', () => {
      socket.write(`POST /v1/chat/completions HTTP/1.1\r\nhost: 127.0.0.1:${harness.gateway.port}\r\nauthorization: Bearer ${TEST_TOKEN}\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n{"model":`);
      setImmediate(() => socket.destroy());
    });
    socket.on('close', () => resolve());
    socket.on('error', reject);
  });
  const garbage = await new Promise<string>((resolve) => {
    const socket = connect(harness.gateway.port, '127.0.0.1', () => socket.write('NOT HTTP\r\n\r\n'));
    let text = '';
    socket.on('data', (chunk) => (text += chunk.toString()));
    socket.on('close', () => resolve(text));
  });
  assert.match(garbage, /^HTTP\/1\.1 400/);
});

test('after all of these no request holds a socket open and the gateway still serves', async () => {
  await eventually(() => harness.sockets.busy() === 0, 'no request holds a socket');
  harness.upstream.on('POST /v1/chat/completions', (_request, response) => sendJson(response, 200, fixtureJson('openai/chat-completion-text-gpt-4-1-nano.vercel.json')));
  const answer = await rawRequest(harness.gateway.port, { method: 'POST', path: '/v1/chat/completions', headers: jsonHeaders(), body: JSON.stringify(chat()) });
  assert.equal(answer.status, 200);
  await eventually(() => !harness.sockets.isOpen(answer.localPort), 'the last raw request closed its socket');
  assert.equal(await openConnections(harness.gateway), harness.sockets.open());
  assert.equal((await harness.client.chat.completions.create(chat())).object, 'chat.completion');
});

test('once the gateways stop, no socket to the upstream is left either', async () => {
  assert.ok((await harness.upstream.connections()) > 0, 'the pool kept connections alive while serving');
  await unreachable.close();
  await harness.gateway.close();
  await eventually(async () => (await harness.upstream.connections()) === 0, 'the upstream pool closed every socket');
});
