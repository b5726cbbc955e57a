import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Response } from 'express';
import type { ChatPart } from '../../proxy/adapters/types.js';
import { respondAnthropic } from '../../proxy/routes/messages/translated-response.js';
import type { RequestTracker } from '../../proxy/usage/request-tracker.js';
import { assertValidAnthropicStream, parseSse } from './anthropic-event-validator.js';

/** Just enough of an express Response to capture what is written. */
const captureResponse = () => {
  const written: string[] = [];
  const response = {
    writableEnded: false,
    headersSent: false,
    writeHead() {
      this.headersSent = true;
      return this;
    },
    flushHeaders() {},
    write(text: string) {
      written.push(text);
      return true;
    },
    end(text?: string) {
      if (text) written.push(text);
      this.writableEnded = true;
      return this;
    },
  };
  return { response: response as unknown as Response, written };
};

const tracker = { requestId: 'req_test', usage() {}, firstToken() {}, failed() {}, finishReason() {}, answeredBy() {} } as unknown as RequestTracker;

async function* slowParts(): AsyncGenerator<ChatPart> {
  yield { type: 'reasoning-delta', choice: 0, text: 'thinking' };
  await new Promise((resolve) => setTimeout(resolve, 200));
  yield { type: 'text-delta', choice: 0, text: 'done' };
  yield { type: 'finish', choice: 0, reason: 'stop' };
}

test('a silent upstream gets pings between events, and the stream stays valid', async () => {
  const { response, written } = captureResponse();
  await respondAnthropic({ parts: slowParts(), stream: true, clientModel: 'm', response, tracker, servedHeaders: {}, pingIntervalMs: 20 });
  const events = parseSse(written.join(''));
  assert.deepEqual(assertValidAnthropicStream(events), ['thinking', 'text']);
  // The first ping follows message_start; the others were sent while the upstream was silent.
  const silentPings = events.slice(2).filter((event) => event.name === 'ping').length;
  assert.ok(silentPings >= 1, `pings while the upstream was silent: ${silentPings}`);
  const afterEnd = written.length;
  await new Promise((resolve) => setTimeout(resolve, 60));
  assert.equal(written.length, afterEnd, 'no ping after the stream ended');
});
