import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { sendJson } from '../support/fake-upstream.js';
import { fixtureJson } from '../support/fixtures.js';
import { TEST_TOKEN } from '../support/gateway.js';
import { FaultBench, chatBody, send } from '../faults/fault-harness.js';
import { fuzzCases, type FuzzTarget } from './fuzz-cases.js';
import { judge, sendRaw } from './send-raw.js';

// A bounded fuzz run with a fixed seed (the same cases every time); test/fuzz/long-fuzz.mjs runs
// many more with any seed. Small body limits keep the "huge" cases quick.
const SEED = 20_261_122;
const CASES = 350;
const LIMITS = { jsonBytes: 256 * 1024, uploadBytes: 256 * 1024 };
const bench = new FaultBench();

before(async () => {
  await bench.start({ headersMs: 2_000, bodyMs: 2_000 }, LIMITS);
  // A request the fuzzer leaves valid by chance is answered normally.
  bench.fault = (request, response) => sendJson(response, 200, request.url.includes('audio') ? { text: 'ok' } : fixtureJson('openai/chat-completion-text-gpt-4-1-nano.vercel.json'));
});
after(() => bench.stop());

test(`${CASES} malformed requests (seed ${SEED}): each gets a 4xx or, for broken HTTP, a closed connection`, async () => {
  const target: FuzzTarget = { port: bench.gateway.port, token: TEST_TOKEN, ...LIMITS };
  const cases = fuzzCases(SEED, CASES, target);
  const failures: string[] = [];
  const kinds = new Map<string, number>();
  for (const [index, fuzzCase] of cases.entries()) {
    const kind = fuzzCase.kind.replace(/\d+/g, 'N');
    kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
    const problem = judge(fuzzCase, await sendRaw(target.port, fuzzCase.request));
    if (problem) failures.push(`case ${index}: ${problem}`);
    if (index % 50 === 49) {
      const answer = await send({ port: target.port, path: '/v1/chat/completions', body: chatBody(false, 'still-serving') });
      assert.equal(answer.status, 200, `after case ${index} the gateway no longer serves`);
    }
  }
  assert.deepEqual(failures, []);
  // Every family of bad input was exercised.
  assert.ok(kinds.size >= 20, `only ${kinds.size} kinds of case: ${[...kinds.keys()].join(', ')}`);
  await bench.settle();
});
