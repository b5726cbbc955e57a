import assert from 'node:assert/strict';
import { request as httpRequest, type ServerResponse } from 'node:http';
import { after, before, test } from 'node:test';
import type { RunningGateway } from '../../proxy/server/gateway-server.js';
import { FakeUpstream, sendJson } from '../support/fake-upstream.js';
import { allDialectsAt, startTestGateway, TEST_TOKEN } from '../support/gateway.js';

// Every stream lane holds back a slow reader's upstream (backpressure), and no whole answer is read
// past the gateway's limit. Measured on the upstream's side: how much it managed to send while the
// client read nothing.
const STREAM_BYTES = 48 * 1024 * 1024;
/** Without backpressure the gateway pulls the whole stream while its client reads nothing. With it,
 * what the upstream gets out is what the loopback sockets between them hold, and Linux grows a
 * receive buffer as fast as it is read, up to `tcp_rmem`'s maximum (32 MB on the CI machine): a relay
 * lane once let 16.1 MB through that way. Without backpressure every lane, relay or translated,
 * pulled all 48 MB in that time on a loaded machine (checked by disabling each kind's pause). */
const HELD_BACK_BOUND = 32 * 1024 * 1024;
const PAUSE_MS = 2_000;
const ANSWER_LIMIT = 1024 * 1024;

type Dialect = 'openai' | 'anthropic' | 'gemini';
const text = 'x'.repeat(1000);
const EVENT: Record<Dialect, string> = {
  openai: `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta: { content: text }, finish_reason: null }] })}\n\n`,
  anthropic: `event: content_block_delta\ndata: ${JSON.stringify({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text } })}\n\n`,
  gemini: `data: ${JSON.stringify({ candidates: [{ content: { role: 'model', parts: [{ text }] }, index: 0 }] })}\n\n`,
};
const OPENING: Record<Dialect, string> = {
  openai: '',
  anthropic:
    `event: message_start\ndata: ${JSON.stringify({ type: 'message_start', message: { id: 'msg_1', type: 'message', role: 'assistant', model: 'm', content: [], stop_reason: null, usage: { input_tokens: 1, output_tokens: 1 } } })}\n\n` +
    `event: content_block_start\ndata: ${JSON.stringify({ type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } })}\n\n`,
  gemini: '',
};

/** Streams STREAM_BYTES of events as fast as the gateway takes them; counts what it has sent. */
const sent: Record<string, number> = {};
const streamFast = async (lane: string, dialect: Dialect, response: ServerResponse): Promise<void> => {
  response.writeHead(200, { 'content-type': 'text/event-stream' });
  sent[lane] = 0;
  const write = (chunk: string) => {
    sent[lane]! += chunk.length;
    return response.write(chunk);
  };
  write(OPENING[dialect]);
  const batch = EVENT[dialect].repeat(16);
  while (sent[lane]! < STREAM_BYTES && !response.destroyed) {
    if (!write(batch)) await new Promise((resolve) => response.once('drain', resolve));
  }
  response.end();
};

let upstream: FakeUpstream;
let gateway: RunningGateway;
let currentLane = '';
let currentDialect: Dialect = 'openai';
let wholeAnswer: ((response: ServerResponse) => void) | undefined;

before(async () => {
  upstream = await new FakeUpstream()
    .on('*', (_request, response) => (wholeAnswer ? wholeAnswer(response) : streamFast(currentLane, currentDialect, response)))
    .start();
  gateway = await startTestGateway({
    limits: { upstreamAnswerBytes: ANSWER_LIMIT },
    providers: allDialectsAt(upstream),
  });
});

after(async () => {
  await gateway.close();
  await upstream.close();
});

/** Opens a stream, reads nothing for PAUSE_MS from its first byte, notes what the upstream sent
 * meanwhile (`sentSoFar` just before the reading starts), then reads the rest (the answer still
 * completes). */
const slowRead = (path: string, body: unknown, sentSoFar: () => number): Promise<{ status: number; received: number; sentWhilePaused: number }> =>
  new Promise((resolve, reject) => {
    const payload = JSON.stringify(body);
    const outgoing = httpRequest({ host: '127.0.0.1', port: gateway.port, path, method: 'POST', headers: { authorization: `Bearer ${TEST_TOKEN}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } }, (incoming) => {
      incoming.pause();
      let received = 0;
      let sentWhilePaused = 0;
      setTimeout(() => (sentWhilePaused = sentSoFar()), PAUSE_MS - 100);
      setTimeout(() => {
        incoming.on('data', (chunk: Buffer) => (received += chunk.length));
        incoming.on('end', () => resolve({ status: incoming.statusCode ?? 0, received, sentWhilePaused }));
        incoming.resume();
      }, PAUSE_MS);
    });
    outgoing.on('error', reject);
    outgoing.end(payload);
  });

const lanes: { name: string; dialect: Dialect; path: string; body: unknown }[] = [
  { name: 'openai client, openai upstream (relay)', dialect: 'openai', path: '/v1/chat/completions', body: { model: 'gpt-4o', stream: true, messages: [{ role: 'user', content: 'hi' }] } },
  { name: 'openai client, anthropic upstream', dialect: 'anthropic', path: '/v1/chat/completions', body: { model: 'anthropic/claude-sonnet-4-5', stream: true, messages: [{ role: 'user', content: 'hi' }] } },
  { name: 'openai client, gemini upstream', dialect: 'gemini', path: '/v1/chat/completions', body: { model: 'gemini/gemini-2.5-flash', stream: true, messages: [{ role: 'user', content: 'hi' }] } },
  { name: 'anthropic client, anthropic upstream (relay)', dialect: 'anthropic', path: '/v1/messages', body: { model: 'anthropic/claude-sonnet-4-5', stream: true, max_tokens: 64, messages: [{ role: 'user', content: 'hi' }] } },
  { name: 'anthropic client, openai upstream', dialect: 'openai', path: '/v1/messages', body: { model: 'gpt-4o', stream: true, max_tokens: 64, messages: [{ role: 'user', content: 'hi' }] } },
  { name: 'anthropic client, gemini upstream', dialect: 'gemini', path: '/v1/messages', body: { model: 'gemini/gemini-2.5-flash', stream: true, max_tokens: 64, messages: [{ role: 'user', content: 'hi' }] } },
];

for (const lane of lanes) {
  test(`a slow reader holds back its upstream: ${lane.name}`, async () => {
    wholeAnswer = undefined;
    currentLane = lane.name;
    currentDialect = lane.dialect;
    const answer = await slowRead(lane.path, lane.body, () => sent[lane.name] ?? 0);
    const sentWhilePaused = answer.sentWhilePaused;
    assert.equal(answer.status, 200);
    assert.ok(sentWhilePaused < HELD_BACK_BOUND, `the upstream sent ${(sentWhilePaused / 1048576).toFixed(1)} MB while the client read nothing`);
    assert.ok(sentWhilePaused > 0, 'the upstream started');
    assert.ok(answer.received > STREAM_BYTES / 2, `the client got the answer afterwards (${answer.received} bytes)`);
  });
}

const bigCompletion = (response: ServerResponse, chunked: boolean): void => {
  const body = JSON.stringify({ id: 'c', object: 'chat.completion', created: 1, model: 'm', choices: [{ index: 0, message: { role: 'assistant', content: 'y'.repeat(3 * ANSWER_LIMIT) }, finish_reason: 'stop' }] });
  if (!chunked) return sendJson(response, 200, body);
  response.writeHead(200, { 'content-type': 'application/json' });
  for (let offset = 0; offset < body.length; offset += 65_536) response.write(body.slice(offset, offset + 65_536));
  response.end();
};

const wholeRoutes: { name: string; path: string; body: unknown }[] = [
  { name: 'chat completions (relay)', path: '/v1/chat/completions', body: { model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] } },
  { name: 'messages over an openai upstream', path: '/v1/messages', body: { model: 'gpt-4o', max_tokens: 64, messages: [{ role: 'user', content: 'hi' }] } },
  { name: 'messages over an anthropic upstream (relay)', path: '/v1/messages', body: { model: 'anthropic/claude-sonnet-4-5', max_tokens: 64, messages: [{ role: 'user', content: 'hi' }] } },
  { name: 'embeddings', path: '/v1/embeddings', body: { model: 'text-embedding-3-small', input: 'hi' } },
  // The adapters' whole reads: the cap's own error, not "not JSON" or "broke off the stream".
  { name: 'chat completions over an anthropic upstream', path: '/v1/chat/completions', body: { model: 'anthropic/claude-sonnet-4-5', messages: [{ role: 'user', content: 'hi' }] } },
  { name: 'chat completions over a gemini upstream', path: '/v1/chat/completions', body: { model: 'gemini/gemini-2.5-flash', messages: [{ role: 'user', content: 'hi' }] } },
  { name: 'messages over a gemini upstream', path: '/v1/messages', body: { model: 'gemini/gemini-2.5-flash', max_tokens: 64, messages: [{ role: 'user', content: 'hi' }] } },
];

for (const route of wholeRoutes) {
  for (const chunked of [false, true]) {
    test(`a whole answer past the limit is a 502, not read into memory: ${route.name}${chunked ? ', without a length' : ''}`, async () => {
      wholeAnswer = (response) => bigCompletion(response, chunked);
      const response = await fetch(`http://127.0.0.1:${gateway.port}${route.path}`, { method: 'POST', headers: { authorization: `Bearer ${TEST_TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify(route.body) });
      const text = await response.text();
      assert.equal(response.status, 502, text.slice(0, 300));
      assert.match(text, /larger than the gateway's limit/);
    });
  }
}

/** An upstream that opens its stream and then never ends a line: every lane's SSE parser would hold
 * it all (a 6 GB one ended the gateway: V8 out of heap). Sends until cut off, at most this much. */
const ENDLESS_LINE_BYTES = 16 * ANSWER_LIMIT;
const endlessLine = async (dialect: Dialect, response: ServerResponse): Promise<void> => {
  response.writeHead(200, { 'content-type': 'text/event-stream' });
  sent.endless = 0;
  response.write(`${OPENING[dialect]}data: {"text":"`);
  const piece = 'a'.repeat(64 * 1024);
  while (sent.endless < ENDLESS_LINE_BYTES && !response.destroyed) {
    sent.endless += piece.length;
    if (!response.write(piece)) await new Promise((resolve) => response.once('drain', resolve));
  }
  response.end();
};

const endlessLanes = [
  ...lanes,
  { name: 'responses client, openai upstream', dialect: 'openai' as const, path: '/v1/responses', body: { model: 'gpt-4o', stream: true, store: false, input: 'hi' } },
  { name: 'gemini client, gemini upstream (relay)', dialect: 'gemini' as const, path: '/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse', body: { contents: [{ role: 'user', parts: [{ text: 'hi' }] }] } },
  { name: 'gemini client, openai upstream', dialect: 'openai' as const, path: '/v1beta/models/gpt-4o:streamGenerateContent?alt=sse', body: { contents: [{ role: 'user', parts: [{ text: 'hi' }] }] } },
];

for (const lane of endlessLanes) {
  test(`a stream line that never ends is cut at the limit, the upstream aborted: ${lane.name}`, async () => {
    wholeAnswer = (response) => void endlessLine(lane.dialect, response);
    const response = await fetch(`http://127.0.0.1:${gateway.port}${lane.path}`, { method: 'POST', headers: { authorization: `Bearer ${TEST_TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify(lane.body) });
    const text = await response.text();
    assert.match(text, /stream event larger than the gateway's limit of 1 MB/, `${response.status} ${text.slice(0, 300)}`);
    assert.ok(sent.endless! < ENDLESS_LINE_BYTES, `the upstream sent all ${sent.endless} bytes: the gateway read on instead of aborting`);
  });
}
