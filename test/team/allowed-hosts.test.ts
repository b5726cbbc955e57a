import assert from 'node:assert/strict';
import { test } from 'node:test';
import { rawRequest } from '../gateway/harness.js';
import { startTestGateway, TEST_TOKEN } from '../support/gateway.js';

test('a Host a load balancer forwards is accepted when listed, whatever the port; others are still refused', async () => {
  const gateway = await startTestGateway({ allowedHosts: ['Gateway.Example.com', '10.0.0.5:8080'] });
  try {
    const status = async (host: string) => (await rawRequest(gateway.port, { path: '/v1/models', headers: { host, authorization: `Bearer ${TEST_TOKEN}` } })).status;
    assert.equal(await status('gateway.example.com'), 200);
    assert.equal(await status('10.0.0.5:8080'), 200);
    assert.equal(await status(`127.0.0.1:${gateway.port}`), 200);
    assert.equal(await status('evil.example'), 403);
    assert.equal(await status('gateway.example.com:9999'), 403);
    assert.equal(await status('10.0.0.5'), 403);
  } finally {
    await gateway.close();
  }
});
