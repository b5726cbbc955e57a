import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ChatRequest } from '../../proxy/adapters/types.js';
import { chatRequestHead } from '../../proxy/dialects/openai-chat/decode-request.js';
import { prepareOpenAIChatBody, spliceUpstreamChatBody } from '../../proxy/dialects/openai-chat/encode-request.js';
import type { ResolvedModel } from '../../proxy/providers/registry.js';
import { HEAD_ONLY_BYTES, readChatRequest } from '../../proxy/routes/chat-request.js';
import { MAX_JSON_DEPTH } from '../../proxy/server/read-body.js';
import { topLevelFields } from '../../proxy/server/top-level-fields.js';
import { FakeUpstream, sendJson } from '../support/fake-upstream.js';
import { TEST_TOKEN } from '../support/gateway.js';
import { startHarness, type Harness } from './harness.js';

// Large chat bodies on the relay lane are read at their top level only (proxy/routes/chat-request.ts):
// the routing, the checks and the body sent upstream must be what a full parse gives, whatever the
// body looks like.

const padding = 'p'.repeat(HEAD_ONLY_BYTES);

/** Bodies that trip a careless scan: the routing fields anywhere, keys and values spelled with
 * escapes, "model" keys and quotes inside strings and nested objects, odd whitespace, unicode. */
const TRICKY = [
  `{"model":"gpt-4o","messages":[{"role":"user","content":"${padding}"}]}`,
  `{"messages":[{"role":"user","content":"${padding}","model":"nested-evil"}],"model":"at-the-end"}`,
  `{"messages":[{"role":"user","content":"say \\"model\\": \\"quoted\\", \\"stream\\": true ${padding}"}],"model":"m1","stream":false}`,
  `{"model":"m2","messages":[{"role":"user","content":"ends with a backslash \\\\"},{"role":"user","content":"${padding}\\\\\\\\"}],"stream":true}`,
  ` \t\r\n{ \n"model"\t:\r"m3" ,\n "stream" : true , "stream_options" : { "include_usage" : false } ,"messages" : [ {"role":"user","content":"${padding}"} ] }\n\t `,
  `{"mod\\u0065l":"escaped-key","messages":[{"role":"user","content":"${padding}"}]}`,
  `{"model":"caf\\u00e9-\u00e9\u{1F600}","messages":[{"role":"user","content":"\u{1F600}\u00e9\u4e2d${padding}"}]}`,
  `{"model":"anthropic/claude-x","stream":true,"stream_options":null,"messages":[{"role":"user","content":[{"type":"text","text":"${padding}"}]}],"tools":[{"type":"function","function":{"name":"f","parameters":{"model":"in-a-schema","enum":[1,-2.5e+3,0.1E-2,true,false,null]}}}]}`,
  `{"model":"m4","stream":true,"stream_options":{},"messages":[{"role":"user","content":"{[\\"}]\\"\\n${padding}"}],"temperature":0,"n":1,"metadata":{"model":"x","stream":false}}`,
  `{"model":"m5","stream":true,"stream_options":{"include_usage":true,"extra":1},"messages":[{"role":"user","content":"${padding}"}]}`,
];

const resolvedAs = (requested: string, upstreamModel: string, streamUsageOption = true): ResolvedModel => ({
  provider: { id: 'p', dialect: 'openai', baseUrl: 'http://127.0.0.1:1/v1', keyOptional: false, keyHint: '', streamUsageOption },
  upstreamModel,
  requestedModel: requested,
});

const headOf = (body: Record<string, unknown>) => ({ model: body.model, stream: body.stream, stream_options: body.stream_options });

test('tricky large bodies: the top-level scan finds every value where a full parse does, and reads the same head', () => {
  for (const text of TRICKY) {
    const raw = Buffer.from(text, 'utf8');
    assert.ok(raw.length >= HEAD_ONLY_BYTES);
    const full = JSON.parse(text) as Record<string, unknown>;
    const fields = topLevelFields(raw, MAX_JSON_DEPTH);
    assert.ok(fields, `not vouched for: ${text.slice(0, 120)}`);
    assert.deepEqual([...fields.keys()].sort(), Object.keys(full).sort());
    for (const [key, span] of fields) assert.deepEqual(JSON.parse(raw.toString('utf8', span.start, span.end)), full[key], key);
    const head = chatRequestHead(raw, fields);
    assert.ok(head, `head refused: ${text.slice(0, 120)}`);
    assert.deepEqual(headOf(head as unknown as Record<string, unknown>), headOf(full));
    assert.deepEqual(headOf(readChatRequest(raw).head as unknown as Record<string, unknown>), headOf(full));
  }
});

test('tricky large bodies: the bytes sent upstream are the same JSON value as the full parse re-serialised', () => {
  for (const text of TRICKY) {
    const raw = Buffer.from(text, 'utf8');
    const full = JSON.parse(text) as ChatRequest;
    const fields = topLevelFields(raw, MAX_JSON_DEPTH)!;
    const head = chatRequestHead(raw, fields)!;
    for (const resolved of [resolvedAs(full.model, full.model), resolvedAs(full.model, 'renamed/up"stream\u00e9'), resolvedAs(full.model, full.model, false)]) {
      const expected = JSON.parse(JSON.stringify(prepareOpenAIChatBody(full, resolved)));
      assert.deepEqual(JSON.parse(spliceUpstreamChatBody(raw, fields, head, resolved).toString('utf8')), expected, text.slice(0, 120));
      assert.deepEqual(JSON.parse(readChatRequest(raw).upstreamBody(resolved).toString()), expected);
    }
    // The lanes that translate get the whole body, as parsed in full.
    assert.deepEqual(readChatRequest(raw).whole(), full);
  }
});

test('nothing changes, nothing is copied: the client bytes go upstream as they are', () => {
  const raw = Buffer.from(TRICKY[0] as string);
  assert.equal(readChatRequest(raw).upstreamBody(resolvedAs('gpt-4o', 'gpt-4o')), raw);
});

test('bodies the scan cannot vouch for take the full parse: the same 400s as before', () => {
  const message = `[{"role":"user","content":"${padding}"}]`;
  const refused = [
    `{"model":"m","messages":${message},}`,
    `{"model":"m","messages":${message}} {}`,
    `{"model":"m","messages":${message}`,
    `{"model" "m","messages":${message}}`,
    `{"model":"m","messages":${message},"n":01}`,
    `{"model":"m","messages":${message},"n":1.}`,
    `{"model":"m","messages":${message},"x":[1,,2]}`,
    `{"model":"m","messages":${message},"x":tru}`,
    `{"model":"m","messages":${message},"x":-}`,
    `{"model":"m","messages":${message},"x":"unclosed}`,
    `[${message}]`,
    `{"model":"m","messages":${message},"x":${'['.repeat(MAX_JSON_DEPTH)}${']'.repeat(MAX_JSON_DEPTH)}}`,
  ];
  for (const text of refused) {
    const raw = Buffer.from(text);
    assert.equal(topLevelFields(raw, MAX_JSON_DEPTH), undefined, text.slice(-60));
    assert.throws(() => readChatRequest(raw), (error: Error & { status?: number }) => error.status === 400, text.slice(-60));
  }
  // One level less deep is a body like any other, for both.
  const deepest = `{"model":"m","messages":${message},"x":${'['.repeat(MAX_JSON_DEPTH - 1)}${']'.repeat(MAX_JSON_DEPTH - 1)}}`;
  assert.ok(topLevelFields(Buffer.from(deepest), MAX_JSON_DEPTH));
  assert.equal(readChatRequest(Buffer.from(deepest)).head.model, 'm');
});

test('a head the checks refuse, or a repeated routing key, goes to the full parse, which decides as before', () => {
  const message = `[{"role":"user","content":"${padding}"}]`;
  const badHeads = [
    `{"model":"","messages":${message}}`,
    `{"model":3,"messages":${message}}`,
    `{"messages":${message}}`,
    `{"model":"m","messages":[]}`,
    `{"model":"m","messages":{"0":${message}}}`,
    `{"model":"m","stream":"yes","messages":${message}}`,
    `{"model":"m","n":0,"messages":${message}}`,
    `{"model":"m","tools":[{"function":{}}],"messages":${message}}`,
  ];
  for (const text of badHeads) {
    const raw = Buffer.from(text);
    assert.equal(chatRequestHead(raw, topLevelFields(raw, MAX_JSON_DEPTH)!), undefined, text.slice(0, 60));
    assert.throws(() => readChatRequest(raw), (error: Error & { status?: number }) => error.status === 400, text.slice(0, 60));
  }
  // JSON.parse keeps the last of a repeated key: so does the full parse this falls back to.
  const repeated = Buffer.from(`{"model":"first","messages":${message},"model":"last"}`);
  assert.equal(chatRequestHead(repeated, topLevelFields(repeated, MAX_JSON_DEPTH)!), undefined);
  assert.equal(readChatRequest(repeated).head.model, 'last');
});

/** A seeded generator (mulberry32): the same bodies on every run. */
const seeded = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let value = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  value = (value + Math.imul(value ^ (value >>> 7), 61 | value)) ^ value;
  return ((value ^ (value >>> 14)) >>> 0) / 4_294_967_296;
};

const PIECES = ['model', 'stream', '"', '\\', '\\"', '{', '}', '[', ']', ':', ',', 'é', '\u{1F600}', '\n', ' ', 'x'];

test('random values: the scan agrees with JSON.parse on every top-level value, with random whitespace', () => {
  const random = seeded(12);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const text = () => Array.from({ length: Math.floor(random() * 8) }, () => pick(PIECES)).join('');
  const value = (depth: number): unknown => {
    const kind = Math.floor(random() * (depth > 4 ? 4 : 7));
    if (kind === 0) return text();
    if (kind === 1) return Math.round((random() - 0.5) * 1e6) / (random() < 0.5 ? 1 : 1000);
    if (kind === 2) return pick([true, false, null]);
    if (kind === 3) return pick(['', 'gpt-4o', 'anthropic/claude']);
    if (kind === 4) return Array.from({ length: Math.floor(random() * 4) }, () => value(depth + 1));
    return Object.fromEntries(Array.from({ length: Math.floor(random() * 4) }, () => [pick(['model', 'stream', 'messages', text()]), value(depth + 1)]));
  };
  const space = () => pick(['', ' ', '\n', '\t', '\r\n  ']);
  for (let round = 0; round < 2_000; round += 1) {
    const entries = Array.from({ length: 1 + Math.floor(random() * 6) }, () => [pick(['model', 'stream', 'stream_options', 'messages', 'n', text()]), value(0)] as const);
    const body = `${space()}{${entries.map(([key, item]) => `${space()}${JSON.stringify(key)}${space()}:${space()}${JSON.stringify(item, null, random() < 0.3 ? 1 : undefined)}${space()}`).join(',')}}${space()}`;
    const raw = Buffer.from(body);
    const full = JSON.parse(body) as Record<string, unknown>;
    const fields = topLevelFields(raw, MAX_JSON_DEPTH);
    assert.ok(fields, body);
    assert.deepEqual([...fields.keys()].sort(), Object.keys(full).sort(), body);
    for (const [key, span] of fields) assert.deepEqual(JSON.parse(raw.toString('utf8', span.start, span.end)), full[key], body);
  }
});

test('through the gateway: a 1 MB prompt on the relay lane reaches the upstream as the client sent it, model renamed where routing says', async () => {
  let harness: Harness | undefined;
  try {
    harness = await startHarness(new FakeUpstream().on('POST /v1/chat/completions', (request, response) => sendJson(response, 200, { id: 'c', object: 'chat.completion', created: 1, model: request.json().model, choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }], usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 } })));
    const content = `nested "model": "evil" \\ é ${'x'.repeat(1024 * 1024)}`;
    for (const model of ['gpt-4o', 'modapi/gpt-4o']) {
      const text = `{"messages":[{"role":"user","content":${JSON.stringify(content)},"model":"nested"}],"model":${JSON.stringify(model)}}`;
      const answer: Response = await fetch(`${harness.gateway.url}/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${TEST_TOKEN}` }, body: text });
      assert.equal(answer.status, 200);
      const sent = harness.upstream.last();
      assert.deepEqual(sent.json(), { ...JSON.parse(text), model: 'gpt-4o' });
      if (model === 'gpt-4o') assert.equal(sent.body.toString('utf8'), text, 'unchanged bytes');
      assert.equal((await answer.json()).model, 'gpt-4o');
    }
  } finally {
    await harness?.close();
  }
});
