import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { FakeUpstream, sendEvents } from '../support/fake-upstream.js';
import { startTestGateway, TEST_KEY, TEST_TOKEN } from '../support/gateway.js';
import type { RunningGateway } from '../../proxy/server/gateway-server.js';

let upstream: FakeUpstream;
let gateway: RunningGateway;

before(async () => {
  upstream = await new FakeUpstream()
    .on('POST /v1/audio/transcriptions', (_request, response) =>
      sendEvents(response, [
        'data: {"type":"transcript.text.delta","delta":"Hello"}\n\n',
        `data: {"error":{"message":"Incorrect API key provided: ${TEST_KEY}","type":"invalid_request_error"}}\n\n`,
      ]),
    )
    .start();
  gateway = await startTestGateway({ providers: { modapi: { baseUrl: upstream.url(), apiKey: TEST_KEY } } });
});

after(async () => {
  await gateway.close();
  await upstream.close();
});

test('an upstream SSE event quoting the key is relayed with the key masked (streamed transcription)', async () => {
  const form = new FormData();
  form.append('model', 'gpt-4o-mini-transcribe');
  form.append('stream', 'true');
  form.append('file', new Blob([new Uint8Array([1, 2, 3, 4])], { type: 'audio/wav' }), 'clip.wav');
  const response = await fetch(`${gateway.url}/audio/transcriptions`, { method: 'POST', headers: { authorization: `Bearer ${TEST_TOKEN}` }, body: form });
  const text = await response.text();
  assert.equal(response.status, 200);
  assert.match(text, /"delta":"Hello"/);
  assert.match(text, /Incorrect API key provided/);
  assert.ok(!text.includes(TEST_KEY), 'the key never reaches the client');
});
