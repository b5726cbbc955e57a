import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { APIError } from 'openai';
import { fixtureEvents, fixtureJson, fixtureText } from '../support/fixtures.js';
import { anthropicRecordings, comparable, expectedFromMessage, expectedFromStream } from './anthropic-expected.js';
import { collectStream, recordingFromFile, startConformanceHarness, type ConformanceHarness, type Recording } from './support.js';

/** Anthropic's errors, recorded and otherwise, reach an OpenAI client as OpenAI-shaped errors with a
 * fitting status; bad upstream data ends in a clean error, never a crash or a hang. */

let harness: ConformanceHarness;

before(async () => {
  harness = await startConformanceHarness('anthropic');
});

after(async () => {
  await harness.close();
});

const MODEL = 'anthropic/claude-sonnet-4-5';
const ask = { model: MODEL, messages: [{ role: 'user' as const, content: 'hi' }] };

/** OpenAI's error types for Anthropic's, and the status an OpenAI client sees (529 is no HTTP
 * status OpenAI clients know; 503 is, and they retry it). */
const OPENAI_TYPE: Record<string, string> = {
  invalid_request_error: 'invalid_request_error',
  authentication_error: 'authentication_error',
  permission_error: 'permission_error',
  not_found_error: 'not_found_error',
  request_too_large: 'invalid_request_error',
  rate_limit_error: 'rate_limit_error',
  api_error: 'api_error',
  overloaded_error: 'api_error',
};
const clientStatus = (status: number): number => (status === 529 ? 503 : status);

const statusOf = (path: string): number => Number(/error-(\d{3})-/.exec(path)?.[1]);

const apiError = async (call: () => Promise<unknown>): Promise<APIError> => {
  try {
    await call();
  } catch (error) {
    assert.ok(error instanceof APIError, `expected an APIError, got ${String(error)}`);
    return error;
  }
  assert.fail('the call succeeded');
};

const streamAndCollect = async () => collectStream(await harness.client.chat.completions.create({ ...ask, stream: true }));

const sse = (events: string[]): Recording => ({ status: 200, headers: { 'content-type': 'text/event-stream' }, chunks: events });

describe('recorded HTTP errors', () => {
  const errorRecordings = anthropicRecordings('error-');
  test('all recorded errors are here', () => assert.equal(errorRecordings.length, 6));
  for (const path of errorRecordings) {
    for (const stream of [false, true]) {
      test(`${path} (${stream ? 'streamed' : 'not streamed'})`, async () => {
        const recording = recordingFromFile(path, { status: statusOf(path) });
        assert.equal(recording.status, statusOf(path));
        harness.serve('POST /v1/messages', recording);
        const recorded = fixtureJson(path).error;
        const error = await apiError(() => (stream ? streamAndCollect() : harness.client.chat.completions.create(ask)));
        assert.equal(error.status, clientStatus(statusOf(path)));
        assert.equal(error.type, OPENAI_TYPE[recorded.type]);
        assert.equal(error.code, recorded.type);
        assert.equal((error.error as { message?: string }).message, recorded.message);
      });
    }
  }
});

test('a 429 keeps its Retry-After (the recording has no headers; this replay adds one)', async () => {
  const recording = recordingFromFile('anthropic/error-429-rate-limit.mycoder-62.json', { status: 429 });
  harness.serve('POST /v1/messages', { ...recording, headers: { ...recording.headers, 'retry-after': '17' } });
  const error = await apiError(() => harness.client.chat.completions.create(ask));
  assert.equal(error.status, 429);
  assert.equal(error.headers?.get('retry-after'), '17');
});

describe('statuses without a recording (handwritten bodies in the documented shape)', () => {
  const cases: [number, string][] = [
    [401, 'authentication_error'],
    [403, 'permission_error'],
    [404, 'not_found_error'],
    [413, 'request_too_large'],
  ];
  for (const [status, type] of cases) {
    test(`${status} ${type}`, async () => {
      const body = JSON.stringify({ type: 'error', error: { type, message: `handwritten ${type}` } });
      harness.serve('POST /v1/messages', { status, headers: { 'content-type': 'application/json' }, chunks: [body] });
      const error = await apiError(() => harness.client.chat.completions.create(ask));
      assert.equal(error.status, status);
      assert.equal(error.type, OPENAI_TYPE[type]);
      assert.equal((error.error as { message?: string }).message, `handwritten ${type}`);
    });
  }
});

test('a non-JSON error page (a proxy in front) becomes a short OpenAI-shaped error', async () => {
  const page = '<html><head><style>body{}</style></head><body><h1>502 Bad Gateway</h1><p>cloudflare</p></body></html>';
  harness.serve('POST /v1/messages', { status: 502, headers: { 'content-type': 'text/html' }, chunks: [page] });
  const error = await apiError(() => harness.client.chat.completions.create(ask));
  assert.equal(error.status, 502);
  assert.match(String((error.error as { message?: string }).message), /HTTP 502: 502 Bad Gateway cloudflare/);
});

describe('an error event inside a stream (recorded payload)', () => {
  const payload = fixtureText('anthropic/stream-error-event-overloaded-data.gpt-cli-71.json').trim();
  const errorEvent = `event: error\ndata: ${payload}\n\n`;

  test('as the first event: the client gets the error status, as if Anthropic had answered 529', async () => {
    harness.serve('POST /v1/messages', sse([errorEvent]));
    // seed makes a warning part; it must not go out before the error and turn it into a 200.
    const error = await apiError(async () => collectStream(await harness.client.chat.completions.create({ ...ask, seed: 1, stream: true })));
    assert.equal(error.status, 503);
    assert.equal((error.error as { message?: string }).message, 'Overloaded');
    assert.equal(error.code, 'overloaded_error');
  });

  test('after message_start, before any content: still the error status (the client may retry; a fallback may take over)', async () => {
    const start = fixtureEvents('anthropic/stream-text-sonnet-4-5.vercel.jsonl')[0]!;
    assert.match(start, /message_start/);
    harness.serve('POST /v1/messages', sse([start, errorEvent]));
    const error = await apiError(async () => collectStream(await harness.client.chat.completions.create({ ...ask, seed: 1, stream: true })));
    assert.equal(error.status, 503, 'once a 200 with the error inside the stream');
    assert.equal(error.code, 'overloaded_error');
  });

  test('after some text: the stream ends with the error, and nothing after it is read', async () => {
    const events = fixtureEvents('anthropic/stream-text-sonnet-4-5.vercel.jsonl');
    harness.serve('POST /v1/messages', sse([...events.slice(0, 5), errorEvent, ...events.slice(5)]));
    const stream = await harness.client.chat.completions.create({ ...ask, stream: true });
    let text = '';
    const error = await apiError(async () => {
      for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    });
    assert.match(error.message, /Overloaded/);
    assert.equal(text, 'Hello! I');
  });
});

describe('bad upstream data', () => {
  const events = fixtureEvents('anthropic/stream-text-sonnet-4-5.vercel.jsonl');

  test('an unknown event type is ignored', async () => {
    const future = 'event: message_future\ndata: {"type":"message_future","detail":{"x":1}}\n\n';
    harness.serve('POST /v1/messages', sse([...events.slice(0, 3), future, ...events.slice(3)]));
    const answer = await collectStream(await harness.client.chat.completions.create({ ...ask, stream: true, stream_options: { include_usage: true } }));
    assert.deepEqual(comparable(answer), comparable(expectedFromStream('anthropic/stream-text-sonnet-4-5.vercel.jsonl')));
  });

  test('a stream that ends without message_stop is an error, not a hang or a success', async () => {
    harness.serve('POST /v1/messages', sse(events.slice(0, -1)));
    const error = await apiError(streamAndCollect);
    assert.match(error.message, /ended early/);
  });

  test('a stream cut in the middle of an event is an error', async () => {
    const whole = events.join('');
    harness.serve('POST /v1/messages', sse([whole.slice(0, whole.indexOf('thank you') + 4)]));
    const error = await apiError(streamAndCollect);
    assert.match(error.message, /not JSON|ended early/);
  });

  test('an empty stream body: the client gets a 502', async () => {
    harness.serve('POST /v1/messages', sse([]));
    const error = await apiError(streamAndCollect);
    assert.equal(error.status, 502);
  });

  test('a connection reset mid-stream is an error', async () => {
    harness.upstream.on('POST /v1/messages', (_request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write(events.slice(0, 4).join(''));
      setTimeout(() => response.destroy(), 20);
    });
    const error = await apiError(streamAndCollect);
    assert.match(error.message, /broke off|ended early|terminated/);
  });

  test('a non-JSON 200 body for a non-streamed request is a 502', async () => {
    harness.serve('POST /v1/messages', { status: 200, headers: { 'content-type': 'application/json' }, chunks: ['<html>oops</html>'] });
    const error = await apiError(() => harness.client.chat.completions.create(ask));
    assert.equal(error.status, 502);
  });

  test('a JSON message in answer to a stream request (some compatible hosts) is still the answer', async () => {
    const path = 'anthropic/message-tool-use-json-haiku-4-5.vercel.json';
    harness.serve('POST /v1/messages', recordingFromFile(path));
    const answer = await streamAndCollect();
    assert.deepEqual(comparable(answer), comparable({ ...expectedFromMessage(path), usage: undefined }));
  });

  test('the gateway still answers afterwards', async () => {
    harness.serve('POST /v1/messages', recordingFromFile('anthropic/message-text-sonnet-4-5.vercel.json'));
    const completion = await harness.client.chat.completions.create(ask);
    assert.equal(completion.choices[0]?.message.content, fixtureJson('anthropic/message-text-sonnet-4-5.vercel.json').content[0].text);
  });
});
