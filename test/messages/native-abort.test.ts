import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import { after, before, test } from 'node:test';
import { startMessagesGateway, type MessagesGateway } from './messages-gateway.js';

// The native lane (Anthropic client, Anthropic upstream) when the client leaves mid-stream: the
// upstream stream is cut, and the request is recorded as cut by its client. Hand-written events:
// no recording is endless.
let harness: MessagesGateway;
let upstreamCut = 0;

const START = 'event: message_start\ndata: {"type":"message_start","message":{"id":"msg_cut","type":"message","role":"assistant","model":"claude-sonnet-4-5","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":12,"output_tokens":1}}}\n\n';
const BLOCK = 'event: content_block_start\ndata: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}\n\n';
const delta = (index: number) => `event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"tick ${index} "}}\n\n`;

const endless = (_request: unknown, response: ServerResponse) => {
  response.writeHead(200, { 'content-type': 'text/event-stream' });
  response.write(START + BLOCK);
  let index = 0;
  const timer = setInterval(() => response.write(delta(index++)), 5);
  response.once('close', () => {
    clearInterval(timer);
    if (!response.writableFinished) upstreamCut += 1;
  });
};

before(async () => {
  harness = await startMessagesGateway({}, {}, { 'POST /v1/messages': endless });
});

after(() => harness.close());

test('a client that stops reading an Anthropic stream cuts the upstream stream; its record says so', async () => {
  const stream = await harness.client.messages.create({ model: 'anthropic/claude-sonnet-4-5', max_tokens: 100, stream: true, messages: [{ role: 'user', content: 'count' }] });
  let deltas = 0;
  for await (const event of stream) {
    if (event.type === 'content_block_delta') deltas += 1;
    if (deltas === 3) break;
  }
  for (let waited = 0; upstreamCut === 0 && waited < 3_000; waited += 10) await new Promise((resolve) => setTimeout(resolve, 10));
  assert.equal(upstreamCut, 1, 'the upstream stream outlived its client');
  const record = await harness.recordAt(0);
  assert.equal(record.errorCode, 'client_closed');
  assert.equal(record.provider, 'anthropic');
});
