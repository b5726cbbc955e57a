import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Logger } from '../../proxy/logger.js';
import type { RunningGateway } from '../../proxy/server/gateway-server.js';
import { Random } from '../fuzz/random.js';
import { FakeUpstream, sendEvents, sendJson } from '../support/fake-upstream.js';
import { fixtureEvents } from '../support/fixtures.js';
import { allDialectsAt, startTestGateway, TEST_KEY, TEST_TOKEN } from '../support/gateway.js';

// Upstreams that put the key (and the client's local token) anywhere in their error bodies: any
// field, any depth, as a value or as a key name, in JSON error answers and in SSE error events, on
// every client dialect and every upstream dialect. Nothing of it may reach a client, the ledger or
// the log. Seeded, so a failure names a case that can be replayed.
const SEED = 20261205;
const CASES = 120;
const SECRETS = [TEST_KEY, TEST_TOKEN];

const log: string[] = [];
const capturingLogger: Logger = { info: (line) => log.push(line), warn: (line) => log.push(line), error: (line) => log.push(line) };

let upstream: FakeUpstream;
let gateway: RunningGateway;
let ledgerDir: string;
/** What the fake upstreams answer next, set by each case before it sends its request. */
let nextAnswer: (response: ServerResponse) => void = (response) => sendJson(response, 500, {});

const planted = (random: Random): string => {
  const secret = random.pick(SECRETS);
  return random.pick([secret, `Bearer ${secret}`, `x-api-key: ${secret}`, `key=${secret}&alt=sse`, `"${secret}"`, `${secret}.`]);
};

/** A random JSON value of bounded depth; `plant` says where the secret goes. */
const randomValue = (random: Random, depth: number, plant: { left: boolean }): unknown => {
  const word = () => random.pick(['error', 'code', 'type', 'param', 'message', 'status', 'details', 'x', 'reason', 'metadata']);
  const shouldPlant = () => plant.left && random.next() < 0.35;
  const leaf = (): unknown => {
    if (shouldPlant()) {
      plant.left = false;
      return planted(random);
    }
    return random.pick([null, true, 42, -1.5, 'invalid_api_key', 'some text', '', 'rate_limit_error']);
  };
  if (depth <= 0) return leaf();
  const kind = random.integer(3);
  if (kind === 0) return leaf();
  if (kind === 1) return Array.from({ length: 1 + random.integer(3) }, () => randomValue(random, depth - 1, plant));
  const object: Record<string, unknown> = {};
  for (let index = 0; index < 1 + random.integer(4); index += 1) {
    let name = word();
    if (shouldPlant()) {
      plant.left = false;
      name = planted(random);
    }
    object[name] = randomValue(random, depth - 1, plant);
  }
  return object;
};

/** The upstream's error object with the secret somewhere in it (forced into one of the usual fields
 * when the random walk placed none). */
const errorObject = (random: Random): Record<string, unknown> => {
  const plant = { left: true };
  const base = randomValue(random, 3, plant);
  const object: Record<string, unknown> = base && typeof base === 'object' && !Array.isArray(base) ? (base as Record<string, unknown>) : { detail: base };
  if (plant.left) object[random.pick(['message', 'code', 'type', 'param', 'status'])] = planted(random);
  for (const field of ['message', 'code', 'type', 'param'] as const) if (random.next() < 0.5 && !(field in object)) object[field] = random.pick(['x', 'invalid_request_error', 400, null]);
  return object;
};

type UpstreamDialect = 'openai' | 'anthropic' | 'gemini';

const errorBody = (dialect: UpstreamDialect, error: Record<string, unknown>): unknown =>
  dialect === 'anthropic' ? { type: 'error', error } : dialect === 'gemini' && error.code === undefined ? [{ error }] : { error };

const streamStart: Record<UpstreamDialect, string[]> = {
  openai: fixtureEvents('openai/chat-stream-text-include-usage-gpt-4o.openai-python.sse').slice(0, 2),
  anthropic: fixtureEvents('anthropic/stream-text-raw-sse.anthropic-sdk-python.sse').slice(0, 3),
  gemini: fixtureEvents('gemini/stream-text-thoughts-token-count.vercel.jsonl').slice(0, 1),
};

/** JSON text with every secret written as \u escapes: the same value to a client's JSON parser, but
 * not the secret's characters in the bytes. */
const escapeSecrets = (json: string): string =>
  SECRETS.reduce((text, secret) => text.split(secret).join([...secret].map((character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`).join('')), json);

const errorEvent = (dialect: UpstreamDialect, error: Record<string, unknown>, escaped: boolean): string => {
  const json = (value: unknown) => (escaped ? escapeSecrets(JSON.stringify(value)) : JSON.stringify(value));
  return dialect === 'anthropic' ? `event: error\ndata: ${json({ type: 'error', error })}\n\n` : `data: ${json({ error })}\n\n`;
};

const MODEL: Record<UpstreamDialect, string> = { openai: 'gpt-4o', anthropic: 'anthropic/claude-sonnet-4-5', gemini: 'gemini/gemini-2.5-flash' };

before(async () => {
  upstream = await new FakeUpstream().on('*', (_request, response) => nextAnswer(response)).start();
  ledgerDir = mkdtempSync(join(tmpdir(), 'modapi-error-fuzz-'));
  gateway = await startTestGateway({
    log: capturingLogger,
    ledgerDir,
    providers: allDialectsAt(upstream),
  });
});

after(async () => {
  await gateway.close();
  await upstream.close();
  rmSync(ledgerDir, { recursive: true, force: true });
});

const request = async (client: 'openai' | 'anthropic', model: string, stream: boolean): Promise<{ status: number; text: string; headers: string }> => {
  const path = client === 'openai' ? '/v1/chat/completions' : '/v1/messages';
  const body = client === 'openai' ? { model, stream, messages: [{ role: 'user', content: 'hi' }] } : { model, stream, max_tokens: 64, messages: [{ role: 'user', content: 'hi' }] };
  const response = await fetch(`http://127.0.0.1:${gateway.port}${path}`, { method: 'POST', headers: { authorization: `Bearer ${TEST_TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: response.status, text: await response.text(), headers: JSON.stringify([...response.headers]) };
};

/** A secret in the text as it is, or as a client's JSON parser reads it (\u escapes decoded). */
const sendRawJson = (response: ServerResponse, status: number, json: string): void => {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(json);
};

const leaks = (text: string): string | undefined => {
  const decoded = text.replace(/\\u([0-9a-fA-F]{4})/g, (_match, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
  return SECRETS.find((secret) => text.includes(secret) || decoded.includes(secret));
};

test('a secret an upstream puts anywhere in an error never reaches a client, the ledger or the log', async () => {
  const random = new Random(SEED);
  const statuses = new Set<number>();
  for (let index = 0; index < CASES; index += 1) {
    const dialect = random.pick<UpstreamDialect>(['openai', 'anthropic', 'gemini']);
    const client = random.pick(['openai', 'anthropic'] as const);
    const stream = random.next() < 0.5;
    const inStream = stream && random.next() < 0.5;
    // Escaped secrets once reached clients in relayed error events, which were masked as raw text.
    const escaped = random.next() < 0.4;
    const error = errorObject(random);
    const status = random.pick([400, 401, 403, 404, 429, 500, 503, 529]);
    nextAnswer = inStream
      ? (response) => void sendEvents(response, [...streamStart[dialect], errorEvent(dialect, error, escaped)])
      : (response) => (escaped ? sendRawJson(response, status, escapeSecrets(JSON.stringify(errorBody(dialect, error)))) : sendJson(response, status, errorBody(dialect, error)));
    const answer = await request(client, MODEL[dialect], stream);
    statuses.add(answer.status);
    const leaked = leaks(answer.text) ?? leaks(answer.headers);
    assert.equal(leaked, undefined, `case ${index} (${client} client, ${dialect} upstream, ${inStream ? 'in-stream' : `HTTP ${status}`}${escaped ? ', escaped' : ''}) leaked to the client: ${answer.text.slice(0, 400)}`);
  }
  // The cases reached clients as errors of many statuses, not one generic refusal.
  assert.ok(statuses.size >= 4, `statuses seen: ${[...statuses].join(', ')}`);
  const ledger = readdirSync(ledgerDir).filter((file) => file.endsWith('.jsonl')).map((file) => readFileSync(join(ledgerDir, file), 'utf8')).join('\n');
  assert.ok(ledger.split('\n').filter(Boolean).length >= CASES, 'every case wrote its ledger record');
  assert.equal(leaks(ledger), undefined, 'the ledger holds no secret');
  assert.equal(leaks(log.join('\n')), undefined, 'the log holds no secret');
  const recent = await fetch(`http://127.0.0.1:${gateway.port}/modapi/usage/recent?limit=500`, { headers: { authorization: `Bearer ${TEST_TOKEN}` } });
  assert.equal(recent.status, 200);
  assert.equal(leaks(await recent.text()), undefined, 'the usage API holds no secret');
});

test('error codes and types pass on only as short identifiers', async () => {
  nextAnswer = (response) => sendJson(response, 400, { error: { message: 'bad', type: 'invalid request: see [docs](command:x)', code: 'a code with spaces', param: 'messages[0].content' } });
  const answer = JSON.parse((await request('openai', 'gpt-4o', false)).text) as { error: { type: string; code: string | null; param: string | null } };
  assert.equal(answer.error.type, 'invalid_request_error');
  assert.equal(answer.error.code, null);
  assert.equal(answer.error.param, 'messages[0].content');
});
