import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { RunningGateway } from '../../proxy/server/gateway-server.js';
import { FakeUpstream } from '../support/fake-upstream.js';
import { startTestGateway, TEST_KEY } from '../support/gateway.js';
import { MODEL_ENDPOINTS, postModelRequest } from '../support/model-endpoints.js';

const RESTRICTED = 'mk-local-restricted-0123456789abcdef0123';

let upstream: FakeUpstream;
let gateway: RunningGateway;

before(async () => {
  upstream = await new FakeUpstream().start();
  gateway = await startTestGateway({
    providers: { modapi: { baseUrl: upstream.url(), apiKey: TEST_KEY }, anthropic: { baseUrl: upstream.url(''), apiKey: TEST_KEY } },
    tokens: [{ name: 'restricted', token: RESTRICTED, allowedModels: ['gpt-4o*'] }],
  });
});

after(async () => {
  await gateway.close();
  await upstream.close();
});

for (const endpoint of MODEL_ENDPOINTS) {
  test(`POST /v1${endpoint.path}: a model outside the token's allowed models is refused with 403 before any key is used`, async () => {
    const answer = await postModelRequest(gateway, RESTRICTED, endpoint.path, endpoint.body('anthropic/claude-sonnet-4-5'));
    const body = (await answer.json()) as { type?: string; error: { type: string; code?: string } };
    assert.equal(answer.status, 403);
    if (endpoint.shape === 'openai') assert.deepEqual([body.error.type, body.error.code], ['permission_error', 'model_not_allowed']);
    else assert.deepEqual([body.type, body.error.type], ['error', 'permission_error']);
    assert.equal(upstream.requests.length, 0, 'no upstream saw a request, so none saw a key');
  });
}
