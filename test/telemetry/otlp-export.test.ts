import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { FakeUpstream, sendEvents, sendJson } from '../support/fake-upstream.js';
import { fixtureEvents, fixtureJson } from '../support/fixtures.js';
import { buildCli, startCli } from '../support/built-cli.js';
import { OtlpReceiver, type ReceivedSpan } from '../support/otlp-receiver.js';
import type { UsageRecord } from '../../proxy/usage/usage-record.js';

/** The built standalone gateway, with the OTEL_* variables pointing at an OTLP/HTTP receiver in
 * this test: one span per model call whose GenAI attributes match the request and the ledger's
 * record, the token and duration metrics, and no prompt or answer text; in both encodings, as
 * OTEL_EXPORTER_OTLP_*PROTOCOL say, protobuf when they say nothing (read by the receiver's own
 * decoder, test/support/otlp-protobuf.ts). */

const TOKEN = 'mk-local-otel-test-0123456789abcdef';
const KEY = 'sk-otel-test-upstream-key-0123456789';
/** Neither may reach the receiver unless content capture is asked for. */
const PROMPT = 'PROMPT-zebra-4471 what holiday would you invent?';
const ANSWER_WORDS = 'Galaxy Day';

let work: string;
let cli: string;
let upstream: FakeUpstream;
const receivers: OtlpReceiver[] = [];

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'modapi-otel-'));
  cli = await buildCli(work);
  // The bundle leaves the OpenTelemetry SDK to node_modules, as an installed package finds it.
  symlinkSync(resolve('node_modules'), join(work, 'node_modules'));
  const openAiStream = fixtureEvents('openai/chat-stream-text-include-usage-gpt-4o.openai-python.sse');
  upstream = await new FakeUpstream()
    .on('POST /v1/chat/completions', async (request, response) => {
      const body = request.json();
      if (body.model === 'too-long-model') sendJson(response, 400, fixtureJson('openai/error-400-context-length-exceeded.chatbot-ui-102.json'));
      else if (body.stream) await sendEvents(response, openAiStream);
      else sendJson(response, 200, fixtureJson('openai/chat-completion-text-gpt-4-1-nano.vercel.json'));
    })
    .on('POST /v1/completions', (_request, response) => sendEvents(response, fixtureEvents('openai/legacy-completions-stream.vercel.jsonl')))
    .on('POST /v1/embeddings', (_request, response) => sendJson(response, 200, fixtureJson('openai/embeddings-text-embedding-3-small.vercel.json')))
    .on('POST /v1/messages', async (request, response) => {
      if (request.json().stream) await sendEvents(response, fixtureEvents('anthropic/stream-max-tokens-cache-read-usage.vercel.jsonl'));
      else sendJson(response, 200, fixtureJson('anthropic/message-text-sonnet-4-5.vercel.json'));
    })
    .start();
});

after(async () => {
  await upstream.close();
  for (const receiver of receivers) await receiver.close();
  rmSync(work, { recursive: true, force: true });
});

const providersEnvironment = (): Record<string, string> => ({
  MODAPI_API_KEY: KEY,
  MODAPI_BASE_URL: upstream.url(),
  ANTHROPIC_API_KEY: KEY,
  ANTHROPIC_BASE_URL: upstream.url(''),
});

interface Call {
  name: string;
  path: string;
  /** The GenAI operation the route declares. */
  operation: 'chat' | 'text_completion' | 'embeddings' | 'generate_content';
  model: string;
  stream?: boolean;
  body: Record<string, unknown>;
  headers?: Record<string, string>;
  status: number;
  finishReasons?: string[];
  responseModel?: string;
}

type ChatCall = Omit<Call, 'operation' | 'body'> & { options?: Record<string, unknown> };

const chatCall = ({ options = {}, ...call }: ChatCall): Call => ({
  ...call,
  operation: 'chat',
  body: { model: call.model, max_tokens: 512, ...(call.stream ? { stream: true } : {}), ...options, messages: [{ role: 'user', content: PROMPT }] },
});

const CALLS: Call[] = [
  chatCall({ name: 'OpenAI chat, relayed whole', path: '/v1/chat/completions', model: 'gpt-4.1-nano', status: 200, finishReasons: ['stop'], responseModel: 'gpt-4.1-nano-2025-04-14' }),
  chatCall({ name: 'OpenAI chat, relayed stream', path: '/v1/chat/completions', model: 'gpt-4o', stream: true, options: { stream_options: { include_usage: true } }, status: 200, finishReasons: ['stop'], responseModel: 'gpt-4o-2024-08-06' }),
  chatCall({ name: 'OpenAI chat to an Anthropic model, translated', path: '/v1/chat/completions', model: 'anthropic/claude-sonnet-4-5', status: 200, finishReasons: ['stop'], responseModel: 'claude-sonnet-4-5-20250929' }),
  chatCall({ name: 'Anthropic messages, relayed whole', path: '/v1/messages', model: 'anthropic/claude-sonnet-4-5', status: 200, finishReasons: ['stop'], responseModel: 'claude-sonnet-4-5-20250929' }),
  chatCall({ name: 'Anthropic messages, relayed stream', path: '/v1/messages', model: 'anthropic/claude-sonnet-4-6', stream: true, options: { max_tokens: 16 }, status: 200, finishReasons: ['length'], responseModel: 'claude-sonnet-4-6' }),
  chatCall({ name: 'Anthropic messages to an OpenAI model, translated stream', path: '/v1/messages', model: 'gpt-4o', stream: true, options: { max_tokens: 64 }, status: 200, finishReasons: ['stop'], responseModel: 'gpt-4o-2024-08-06' }),
  chatCall({ name: 'an upstream error', path: '/v1/chat/completions', model: 'too-long-model', status: 400 }),
  {
    name: 'OpenAI legacy completions, relayed stream',
    path: '/v1/completions',
    operation: 'text_completion',
    model: 'gpt-3.5-turbo-instruct',
    stream: true,
    body: { model: 'gpt-3.5-turbo-instruct', prompt: PROMPT, stream: true, stream_options: { include_usage: true } },
    status: 200,
    finishReasons: ['length'],
    responseModel: 'gpt-3.5-turbo-instruct:20230824-v2',
  },
  {
    name: 'OpenAI embeddings',
    path: '/v1/embeddings',
    operation: 'embeddings',
    model: 'text-embedding-3-small',
    body: { model: 'text-embedding-3-small', input: PROMPT },
    status: 200,
    responseModel: 'text-embedding-3-small',
  },
  {
    name: 'Gemini generateContent over an OpenAI model, translated',
    path: '/v1beta/models/gpt-4.1-nano:generateContent',
    operation: 'generate_content',
    model: 'gpt-4.1-nano',
    body: { contents: [{ role: 'user', parts: [{ text: PROMPT }] }] },
    headers: { 'x-goog-api-key': TOKEN },
    status: 200,
    finishReasons: ['stop'],
    responseModel: 'gpt-4.1-nano-2025-04-14',
  },
];

/** The client's trace: each call comes from its own client span in it. */
const CLIENT_TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const clientSpanId = (index: number): string => `00f067aa0ba902${index.toString(16).padStart(2, '0')}`;

/** Sends every call, each with the client's `traceparent`; returns each one's request id (x-request-id). */
const sendCalls = async (port: number): Promise<Map<string, Call>> => {
  const ids = new Map<string, Call>();
  for (const [index, call] of CALLS.entries()) {
    const response = await fetch(`http://127.0.0.1:${port}${call.path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json', traceparent: `00-${CLIENT_TRACE_ID}-${clientSpanId(index)}-01`, ...call.headers },
      body: JSON.stringify(call.body),
    });
    await response.text();
    assert.equal(response.status, call.status, call.name);
    ids.set(response.headers.get('x-request-id')!, call);
  }
  return ids;
};

const ledgerRecords = (folder: string): UsageRecord[] =>
  readdirSync(folder)
    .filter((name) => /^usage-.*\.jsonl$/.test(name))
    .flatMap((name) => readFileSync(join(folder, name), 'utf8').split('\n').filter(Boolean))
    .map((line) => JSON.parse(line) as UsageRecord);

/** Runs the gateway with these OTEL_* variables, sends every call, stops it (which flushes). */
const runWithTelemetry = async (otelEnvironment: (receiver: OtlpReceiver) => Record<string, string>, receiver = new OtlpReceiver()) => {
  await receiver.start();
  receivers.push(receiver);
  const ledger = join(work, `ledger-${receivers.length}`);
  mkdirSync(ledger);
  const gateway = await startCli(cli, ['--token', TOKEN, '--ledger', ledger], { HOME: work, ...providersEnvironment(), ...otelEnvironment(receiver) });
  try {
    const ids = await sendCalls(gateway.port);
    await gateway.stop();
    return { receiver, ids, records: ledgerRecords(ledger), output: gateway.output() };
  } finally {
    await gateway.stop();
  }
};

const spanOf = (spans: ReceivedSpan[], requestId: string): ReceivedSpan => {
  const found = spans.filter((span) => span.attributes['modapi.request_id'] === requestId);
  assert.equal(found.length, 1, `one span for ${requestId}`);
  return found[0];
};

const JSON_BODY = 'application/json';
const PROTOBUF_BODY = 'application/x-protobuf';

/** The protocol variables, and how each signal must then arrive. */
const ENCODINGS: { name: string; environment: Record<string, string>; started: RegExp; traces: string; metrics: string }[] = [
  { name: 'http/json', environment: { OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' }, started: /exporting traces and metrics over OTLP http\/json/, traces: JSON_BODY, metrics: JSON_BODY },
  { name: 'http/protobuf', environment: { OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf' }, started: /exporting traces and metrics over OTLP http\/protobuf/, traces: PROTOBUF_BODY, metrics: PROTOBUF_BODY },
  { name: 'no protocol set: the spec’s default, http/protobuf', environment: {}, started: /exporting traces and metrics over OTLP http\/protobuf/, traces: PROTOBUF_BODY, metrics: PROTOBUF_BODY },
  {
    name: 'each signal’s own variable over the common one',
    environment: { OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc', OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json', OTEL_EXPORTER_OTLP_METRICS_PROTOCOL: 'http/protobuf' },
    started: /exporting traces over OTLP http\/json and metrics over OTLP http\/protobuf/,
    traces: JSON_BODY,
    metrics: PROTOBUF_BODY,
  },
];

/** The spans and metrics of CALLS, as the receiver read them, against the ledger's records. */
const assertCallsExported = ({ receiver, ids, records }: Awaited<ReturnType<typeof runWithTelemetry>>): void => {
  const spans = receiver.spans();
  assert.equal(spans.length, CALLS.length, 'one span per model call');
  assert.equal(records.length, CALLS.length);
  for (const [requestId, call] of ids) {
    const span = spanOf(spans, requestId);
    const record = records.find((entry) => entry.requestId === requestId)!;
    const attributes = span.attributes;
    assert.equal(span.kind, 3, `${call.name}: a CLIENT span`);
    assert.equal(span.traceId, CLIENT_TRACE_ID, `${call.name}: in the client's trace`);
    assert.equal(span.parentSpanId, clientSpanId(CALLS.indexOf(call)), `${call.name}: under the client's span`);
    assert.equal(span.name, `${call.operation} ${call.model}`, call.name);
    assert.equal(span.resource['service.name'], 'gateway-under-test');
    assert.equal(span.resource['deployment.environment.name'], 'test');
    assert.equal(attributes['gen_ai.operation.name'], call.operation, call.name);
    assert.equal(attributes['gen_ai.request.model'], call.model, call.name);
    assert.equal(attributes['gen_ai.provider.name'], record.provider, call.name);
    assert.equal(attributes['gen_ai.provider.name'], call.model.startsWith('anthropic/') ? 'anthropic' : 'modapi', call.name);
    assert.equal(attributes['gen_ai.response.model'], call.responseModel, call.name);
    assert.equal(attributes['gen_ai.usage.input_tokens'], record.promptTokens, call.name);
    assert.equal(attributes['gen_ai.usage.output_tokens'], record.completionTokens, call.name);
    assert.equal(attributes['gen_ai.usage.cache_read.input_tokens'], record.cachedTokens, call.name);
    assert.equal(attributes['gen_ai.usage.cache_creation.input_tokens'], record.cacheCreationTokens, call.name);
    assert.equal(attributes['gen_ai.usage.reasoning.output_tokens'], record.reasoningTokens, call.name);
    assert.deepEqual(attributes['gen_ai.response.finish_reasons'], call.finishReasons, call.name);
    assert.equal(attributes['http.response.status_code'], record.status, call.name);
    const durationMs = Number(BigInt(span.endTimeUnixNano) - BigInt(span.startTimeUnixNano)) / 1e6;
    assert.ok(Math.abs(durationMs - record.latencyMs) < 2, `${call.name}: the span lasts the ledger's latency`);
    if (call.stream) assert.ok(Math.abs(Number(attributes['gen_ai.response.time_to_first_chunk']) - record.timeToFirstTokenMs! / 1000) < 1e-9, call.name);
    else assert.equal(attributes['gen_ai.response.time_to_first_chunk'], undefined, call.name);
    if (call.status >= 400) {
      assert.equal(attributes['error.type'], record.errorCode, call.name);
      assert.ok(record.errorCode, 'the ledger names the error');
      assert.equal(span.status?.code, 2, `${call.name}: status ERROR`);
    } else {
      assert.equal(attributes['error.type'], undefined, call.name);
      assert.notEqual(span.status?.code, 2, call.name);
    }
  }
  const relayedStream = records.find((record) => record.model === 'claude-sonnet-4-6')!;
  assert.equal(relayedStream.cachedTokens, 18639, 'the cache part is the recording’s');

  // Metrics: the token histogram's sums per attribute set are the ledger's, input and output.
  const tokenPoints = receiver.histogramPoints('gen_ai.client.token.usage');
  assert.ok(tokenPoints.length > 0, 'gen_ai.client.token.usage exported');
  for (const type of ['input', 'output'] as const) {
    const points = tokenPoints.filter((point) => point.attributes['gen_ai.token.type'] === type);
    const answered = [...ids.keys()].map((requestId) => records.find((record) => record.requestId === requestId)!).filter((record) => record.status < 400);
    assert.equal(points.reduce((total, point) => total + point.count, 0), answered.length, `one ${type} point per answered call`);
    for (const point of points) {
      const matching = answered.filter((record) => {
        const span = spanOf(spans, record.requestId);
        return ['gen_ai.operation.name', 'gen_ai.request.model', 'gen_ai.response.model', 'gen_ai.provider.name'].every((key) => span.attributes[key] === point.attributes[key]);
      });
      const expected = matching.reduce((total, record) => total + (type === 'input' ? record.promptTokens : record.completionTokens), 0);
      assert.equal(point.sum, expected, `${type} tokens of ${point.attributes['gen_ai.request.model']}`);
    }
  }
  const durations = receiver.histogramPoints('gen_ai.client.operation.duration');
  assert.equal(durations[0]?.unit, 's');
  assert.equal(durations.reduce((total, point) => total + point.count, 0), CALLS.length, 'one duration per call');
  assert.ok(durations.some((point) => point.attributes['error.type'] === 'context_length_exceeded'), 'the failed call’s duration carries error.type');
  const firstChunks = receiver.histogramPoints('gen_ai.client.operation.time_to_first_chunk');
  assert.equal(firstChunks.reduce((total, point) => total + point.count, 0), CALLS.filter((call) => call.stream).length, 'time to first chunk for streams only');

  const everything = receiver.exports.map((entry) => entry.text).join('\n');
  assert.ok(!everything.includes('zebra-4471'), 'no prompt text');
  assert.ok(!everything.includes(ANSWER_WORDS), 'no answer text');
  assert.ok(!everything.includes(KEY) && !everything.includes(TOKEN), 'no key or local token');
};

for (const encoding of ENCODINGS) {
  test(`${encoding.name}: every model call is one span with the GenAI attributes of its request and ledger record, and the metrics add up`, async () => {
    const run = await runWithTelemetry((otlp) => ({
      OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url,
      OTEL_SERVICE_NAME: 'gateway-under-test',
      OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment.name=test',
      ...encoding.environment,
    }));
    assert.match(run.output, encoding.started);
    assert.deepEqual(run.receiver.contentTypes('/v1/traces'), [encoding.traces], 'spans’ content type');
    assert.deepEqual(run.receiver.contentTypes('/v1/metrics'), [encoding.metrics], 'metrics’ content type');
    assertCallsExported(run);
  });
}

test('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT alone exports spans and no metrics', async () => {
  const { receiver } = await runWithTelemetry((otlp) => ({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${otlp.url}/custom/traces` }));
  assert.deepEqual([...new Set(receiver.exports.map((entry) => entry.path))], ['/custom/traces']);
  assert.equal(receiver.spans('/custom/traces').length, CALLS.length);
});

test('prompts and answers go on spans only when OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true, keys masked', async () => {
  const { receiver, ids, output } = await runWithTelemetry((otlp) => ({ OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url, OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT: 'true' }));
  assert.match(output, /with prompts and answers/);
  const spans = receiver.spans();
  for (const [requestId, call] of ids) {
    const span = spanOf(spans, requestId);
    assert.match(String(span.attributes['modapi.request.body']), /PROMPT-zebra-4471/, call.name);
    assert.ok(String(span.attributes['modapi.response.body']).length > 0, call.name);
  }
  const whole = spanOf(spans, [...ids].find(([, call]) => call.name === 'OpenAI chat, relayed whole')![0]);
  assert.match(String(whole.attributes['modapi.response.body']), new RegExp(ANSWER_WORDS));
  const streamed = spanOf(spans, [...ids].find(([, call]) => call.name === 'OpenAI chat, relayed stream')![0]);
  assert.match(String(streamed.attributes['modapi.response.body']), /^data: .*\n\n[\s\S]*data: \[DONE\]\n\n$/);
  const everything = receiver.exports.map((entry) => entry.text).join('\n');
  assert.ok(!everything.includes(KEY) && !everything.includes(TOKEN), 'no key or local token');
});

test('a collector that is away costs the calls nothing and is reported on the log', async () => {
  const away = await new OtlpReceiver().start();
  const closedPort = away.port;
  await away.close();
  const { receiver, records, output } = await runWithTelemetry(() => ({ OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${closedPort}` }));
  assert.equal(records.length, CALLS.length, 'every call answered and recorded');
  assert.equal(receiver.exports.length, 0);
  assert.match(output, /OpenTelemetry: .*(ECONNREFUSED|export)/i);
});

test('grpc is refused at start, naming the protocols served: export is off and the gateway serves on', async () => {
  const { receiver, records, output } = await runWithTelemetry((otlp) => ({ OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url, OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' }));
  assert.match(output, /OpenTelemetry export is off: OTEL_EXPORTER_OTLP_PROTOCOL=grpc is not supported; supported: http\/protobuf \(the default\), http\/json/);
  assert.doesNotMatch(output, /OpenTelemetry: exporting/);
  assert.equal(records.length, CALLS.length, 'every call answered and recorded');
  assert.equal(receiver.exports.length, 0);
});

test('the collector’s credentials (OTEL_EXPORTER_OTLP_HEADERS) go with every export and never to the log, even echoed back in a refusal', async () => {
  const basic = 'Y29sbGVjdG9yOnNlY3JldC05OTMx';
  const vendorKey = 'vendorteamkey-5521-collector';
  const refusing = new OtlpReceiver(({ headers }) => ({
    status: 403,
    reason: `refused ${headers['x-vendor-team']}`,
    body: JSON.stringify({ message: `bad credentials: ${headers.authorization} ${headers['x-vendor-team']}` }),
  }));
  const { receiver, output } = await runWithTelemetry((otlp) => ({ OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url, OTEL_EXPORTER_OTLP_HEADERS: `authorization=Basic%20${basic},x-vendor-team=${vendorKey}` }), refusing);
  assert.ok(receiver.exports.length > 0);
  for (const { headers } of receiver.exports) assert.deepEqual([headers.authorization, headers['x-vendor-team']], [`Basic ${basic}`, vendorKey]);
  assert.match(output, /OpenTelemetry: .*refused \[redacted\]/, 'the refusal is logged, masked');
  assert.ok(!output.includes(basic) && !output.includes(vendorKey), 'no collector credential in the log');
});
