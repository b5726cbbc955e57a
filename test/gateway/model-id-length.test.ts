import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { RunningGateway } from '../../proxy/server/gateway-server.js';
import { FakeUpstream } from '../support/fake-upstream.js';
import { startTestGateway, TEST_KEY, TEST_TOKEN } from '../support/gateway.js';
import { MODEL_ENDPOINTS, postModelRequest } from '../support/model-endpoints.js';

const HUGE_ID = 'm'.repeat(5 * 1024 * 1024);
const LONGEST_ID = 'm'.repeat(256);

let upstream: FakeUpstream;
let gateway: RunningGateway;

before(async () => {
  upstream = await new FakeUpstream().start();
  gateway = await startTestGateway({ providers: { modapi: { baseUrl: upstream.url(), apiKey: TEST_KEY }, anthropic: { baseUrl: upstream.url(''), apiKey: TEST_KEY } } });
});

after(async () => {
  await gateway.close();
  await upstream.close();
});

const send = (path: string, body: FormData | string) => postModelRequest(gateway, TEST_TOKEN, path, body);

for (const endpoint of MODEL_ENDPOINTS) {
  test(`POST /v1${endpoint.path}: a 5 MB model id is refused with a 400 in the ${endpoint.shape} shape before routing`, async () => {
    const seen = upstream.requests.length;
    const answer = await send(endpoint.path, endpoint.body(HUGE_ID));
    const text = await answer.text();
    assert.equal(answer.status, 400, text.slice(0, 300));
    assert.ok(text.length < 1_000, `the answer does not quote the id (${text.length} characters)`);
    const body = JSON.parse(text) as { type?: string; error: { type: string; code?: string; param?: string; message: string } };
    if (endpoint.shape === 'openai') assert.deepEqual([body.error.type, body.error.code, body.error.param], ['invalid_request_error', 'model_id_too_long', 'model']);
    else assert.deepEqual([body.type, body.error.type], ['error', 'invalid_request_error']);
    assert.match(body.error.message, /at most 256/);
    assert.equal(upstream.requests.length, seen, 'nothing reached the upstream');
  });
}

test('none of the refused ids reached the ledger or the rollups', () => {
  const ledger = gateway.context.ledger!;
  assert.equal(ledger.recent(100).length, 0);
  assert.deepEqual(ledger.rollups.query({ groupBy: 'model' }).groups, []);
});

test('an id of 256 characters is routed like any other', async () => {
  for (const endpoint of MODEL_ENDPOINTS) {
    const answer = await send(endpoint.path, endpoint.body(LONGEST_ID));
    const text = await answer.text();
    assert.doesNotMatch(text, /model_id_too_long|at most 256/, endpoint.path);
  }
  assert.ok(upstream.requests.some((request) => request.url.endsWith('/chat/completions') && request.json().model === LONGEST_ID));
});
