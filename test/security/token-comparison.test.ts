import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { syncBuiltinESMExports } from 'node:module';
import { after, before, test } from 'node:test';
import { Agent, request as httpRequest } from 'node:http';
import { inspect } from 'node:util';
import { LocalTokens } from '../../proxy/server/local-tokens.js';
import { startTestGateway, TEST_TOKEN } from '../support/gateway.js';
import { send } from '../faults/fault-harness.js';

// Constant time is asserted on the implementation, not measured (a timing statistic would be
// flaky here; `npm run bench` has a coarse timing check): a presented token is hashed with SHA-256
// and compared with crypto.timingSafeEqual against every stored digest, with no early exit; a
// keep-alive connection's later requests are matched against the token it proved itself.
interface Comparison {
  left: Buffer;
  right: Buffer;
}
const comparisons: Comparison[] = [];
const hashes: string[] = [];
const realTimingSafeEqual = crypto.timingSafeEqual;
const realHash = crypto.hash;
const realCreateHash = crypto.createHash;

before(() => {
  crypto.timingSafeEqual = ((left: NodeJS.ArrayBufferView, right: NodeJS.ArrayBufferView) => {
    comparisons.push({ left: Buffer.from(left as Uint8Array), right: Buffer.from(right as Uint8Array) });
    return realTimingSafeEqual(left, right);
  }) as typeof crypto.timingSafeEqual;
  crypto.hash = ((algorithm: string, data: crypto.BinaryLike, encoding: 'buffer') => {
    hashes.push(algorithm);
    return realHash(algorithm, data, encoding);
  }) as typeof crypto.hash;
  syncBuiltinESMExports();
});

after(() => {
  crypto.timingSafeEqual = realTimingSafeEqual;
  crypto.hash = realHash;
  syncBuiltinESMExports();
});

const STORED = ['mk-local-aaaaaaaaaaaaaaaaaaaaaaaa', 'mk-local-bbbbbbbbbbbbbbbbbbbbbbbb', 'mk-local-cccccccccccccccccccccccc', 'short', 'mk-local-dddddddddddddddddddddddd'];
const tokens = () => new LocalTokens(STORED.map((token, index) => ({ name: `tool-${index}`, token })));
const sha256 = (text: string) => realCreateHash('sha256').update(text, 'utf8').digest();

const authenticateCounting = (store: LocalTokens, presented: string, connection?: object) => {
  comparisons.length = 0;
  hashes.length = 0;
  const client = store.authenticate(presented, connection);
  return { client, comparisons: [...comparisons], hashes: [...hashes] };
};

test('every stored token is compared, whichever matches and whether any does', () => {
  const store = tokens();
  for (const [index, presented] of STORED.entries()) {
    const result = authenticateCounting(store, presented);
    assert.equal(result.client?.name, `tool-${index}`);
    assert.equal(result.comparisons.length, STORED.length, `a match at position ${index} stopped the loop early`);
  }
  for (const presented of ['wrong', STORED[0]!.slice(0, -1), `${STORED[0]}x`, 'x'.repeat(10_000)]) {
    const result = authenticateCounting(store, presented);
    assert.equal(result.client, undefined);
    assert.equal(result.comparisons.length, STORED.length);
  }
});

test('what is compared are 32-byte SHA-256 digests, never the tokens themselves (no length leak)', () => {
  const store = tokens();
  const presented = 'mk-local-presented-token-of-another-length';
  const result = authenticateCounting(store, presented);
  assert.deepEqual(result.hashes, ['sha256']);
  const storedDigests = new Set(STORED.map((token) => sha256(token).toString('hex')));
  for (const { left, right } of result.comparisons) {
    assert.equal(left.length, 32);
    assert.equal(right.length, 32);
    const pair = [left.toString('hex'), right.toString('hex')].sort();
    assert.ok(pair.includes(sha256(presented).toString('hex')), 'one side is the presented token digest');
    assert.ok(pair.some((digest) => storedDigests.has(digest)), 'the other is a stored digest');
  }
});

test('the store keeps digests only: no token in the object, however deep one looks', () => {
  const store = tokens();
  const dump = inspect(store, { depth: Infinity, showHidden: true });
  for (const token of STORED) assert.equal(dump.includes(token), false);
  assert.equal(JSON.stringify(store).includes('mk-local'), false);
});

test('an absent or empty token is refused without a comparison', () => {
  const store = tokens();
  assert.equal(authenticateCounting(store, '').client, undefined);
  assert.equal(store.authenticate(undefined), undefined);
});

test('a keep-alive connection that proved its token is matched against that token alone', () => {
  const store = tokens();
  const connection = {};
  assert.equal(authenticateCounting(store, STORED[1]!, connection).comparisons.length, STORED.length, 'the first request compares every stored digest');
  const again = authenticateCounting(store, STORED[1]!, connection);
  assert.equal(again.client?.name, 'tool-1');
  assert.equal(again.comparisons.length, 0);
  assert.deepEqual(again.hashes, []);
  // Anything else on that connection, and the same token on another, goes through the comparison.
  const other = authenticateCounting(store, STORED[2]!, connection);
  assert.equal(other.client?.name, 'tool-2');
  assert.equal(other.comparisons.length, STORED.length);
  const wrong = authenticateCounting(store, `${STORED[2]}x`, connection);
  assert.equal(wrong.client, undefined);
  assert.equal(wrong.comparisons.length, STORED.length);
  assert.equal(authenticateCounting(store, STORED[2]!, {}).comparisons.length, STORED.length);
  // The refused attempt left the earlier proof in place, and made none of its own.
  assert.equal(authenticateCounting(store, STORED[2]!, connection).comparisons.length, 0);
  assert.equal(authenticateCounting(store, `${STORED[2]}x`, connection).comparisons.length, STORED.length);
});

test('a token revoked while its connection stays open is refused on that connection', () => {
  const store = tokens();
  const connection = {};
  assert.equal(store.authenticate(STORED[0]!, connection)?.name, 'tool-0');
  store.replace(STORED.slice(1).map((token, index) => ({ name: `tool-${index + 1}`, token })));
  assert.equal(store.authenticate(STORED[0]!, connection), undefined);
  // Another store never accepts a proof made with this one.
  assert.equal(authenticateCounting(tokens(), STORED[1]!, connection).comparisons.length, STORED.length);
});

test('the gateway authenticates every /v1 request through that comparison', async () => {
  const gateway = await startTestGateway({ tokens: [{ name: 'default', token: TEST_TOKEN }, { name: 'other', token: 'mk-local-other-tool-token-000000' }] });
  try {
    comparisons.length = 0;
    const refused = await send({ port: gateway.port, path: '/v1/models', method: 'GET', headers: { authorization: 'Bearer mk-local-wrong-token-000000000' } });
    assert.equal(refused.status, 401);
    assert.equal(comparisons.length, 2);
    comparisons.length = 0;
    await send({ port: gateway.port, path: '/v1/models', method: 'GET', headers: { authorization: '', 'x-api-key': TEST_TOKEN } });
    assert.equal(comparisons.length, 2, 'x-api-key goes through the same comparison');
  } finally {
    await gateway.close();
  }
});

test('through the gateway, a keep-alive connection proves its token once; a new connection proves it again', async () => {
  const gateway = await startTestGateway({ tokens: [{ name: 'default', token: TEST_TOKEN }, { name: 'other', token: 'mk-local-other-tool-token-000000' }] });
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const get = (token: string, through: Agent | false) =>
    new Promise<number>((resolve, reject) => {
      const outgoing = httpRequest({ host: '127.0.0.1', port: gateway.port, path: '/v1/models', agent: through, headers: { authorization: `Bearer ${token}` } }, (incoming) => {
        incoming.resume();
        incoming.on('end', () => resolve(incoming.statusCode ?? 0));
      });
      outgoing.on('error', reject);
      outgoing.end();
    });
  try {
    const counted = async (token: string, through: Agent | false) => {
      comparisons.length = 0;
      const status = await get(token, through);
      return { status, comparisons: comparisons.length };
    };
    assert.deepEqual(await counted(TEST_TOKEN, agent), { status: 200, comparisons: 2 });
    assert.deepEqual(await counted(TEST_TOKEN, agent), { status: 200, comparisons: 0 });
    assert.deepEqual(await counted('mk-local-wrong-token-000000000', agent), { status: 401, comparisons: 2 });
    assert.deepEqual(await counted(TEST_TOKEN, false), { status: 200, comparisons: 2 });
  } finally {
    agent.destroy();
    await gateway.close();
  }
});
