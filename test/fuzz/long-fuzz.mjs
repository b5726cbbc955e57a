// The long fuzz run: `npm run fuzz -- [--cases=20000] [--seed=N]` (any seed; the one used is
// printed, so a failure can be replayed). Same cases and rules as test/fuzz/bad-input.test.ts.
import { sendJson } from '../support/fake-upstream.ts';
import { fixtureJson } from '../support/fixtures.ts';
import { TEST_TOKEN } from '../support/gateway.ts';
import { chatBody, FaultBench, send } from '../faults/fault-harness.ts';
import { fuzzCases } from './fuzz-cases.ts';
import { judge, sendRaw } from './send-raw.ts';

const option = (name, fallback) => Number(process.argv.find((argument) => argument.startsWith(`--${name}=`))?.split('=')[1] ?? fallback);
const total = option('cases', 20_000);
const seed = option('seed', Date.now() % 2 ** 31);
const limits = { jsonBytes: 1024 * 1024, uploadBytes: 1024 * 1024 };

const main = async () => {
  const bench = new FaultBench();
  await bench.start({ headersMs: 5_000, bodyMs: 5_000 }, limits);
  bench.fault = (request, response) => sendJson(response, 200, request.url.includes('audio') ? { text: 'ok' } : fixtureJson('openai/chat-completion-text-gpt-4-1-nano.vercel.json'));
  const target = { port: bench.gateway.port, token: TEST_TOKEN, ...limits };
  console.log(`long fuzz: ${total} cases, seed ${seed}`);
  const failures = [];
  const started = Date.now();
  const batch = 500;
  for (let offset = 0; offset < total; offset += batch) {
    // Each batch has its own seed derived from the run's, so a batch can be replayed alone.
    const cases = fuzzCases(seed + offset, Math.min(batch, total - offset), target);
    for (const [index, fuzzCase] of cases.entries()) {
      const problem = judge(fuzzCase, await sendRaw(target.port, fuzzCase.request));
      if (problem) failures.push(`seed ${seed + offset} case ${index}: ${problem}`);
    }
    const answer = await send({ port: target.port, path: '/v1/chat/completions', body: chatBody(false, 'still-serving') });
    if (answer.status !== 200) failures.push(`after ${offset + batch} cases the gateway no longer serves (${answer.status})`);
    const memory = process.memoryUsage();
    console.log(`${Math.min(offset + batch, total)} cases, ${failures.length} failures, heap ${(memory.heapUsed / 2 ** 20).toFixed(0)} MB, ${((Date.now() - started) / 1000).toFixed(0)} s`);
  }
  await bench.settle();
  await bench.stop();
  for (const failure of failures.slice(0, 50)) console.log(failure);
  console.log(failures.length === 0 ? 'long fuzz: every case answered as it should' : `long fuzz: ${failures.length} failures`);
  process.exitCode = failures.length === 0 ? 0 : 1;
};

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
