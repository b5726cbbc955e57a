// `node test/bench/compare.mjs A.js B.js`: two builds of the CLI side by side on the same fake
// upstream, in short alternating bursts so that other load on the machine hits both alike; prints
// each one's CPU time per request and requests per second (non-streamed chat, 32 connections).
// `--lane=N` sends translated lane N of lanes.mjs instead (0: Anthropic client over the OpenAI
// upstream, 1: OpenAI client over an Anthropic upstream).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPool, fixedCount, throughput } from './load.mjs';
import { chatSpecs } from './phases.mjs';
import { TRANSLATED_LANES } from './lanes.mjs';
import { onSeparateCores } from './placement.mjs';
import { cpuMilliseconds, startFakeUpstream, startGatewayProcess, stopProcess } from './processes.mjs';
import { median } from './stats.mjs';

const TOKEN = 'mk-local-bench-token-7f3a9c1e5b2d4f60';
const KEY = 'sk-bench-upstream-key-0d9e8f7a6b5c4d3e';
const builds = process.argv.slice(2).filter((argument) => !argument.startsWith('--'));
const bursts = Number(process.argv.find((argument) => argument.startsWith('--bursts='))?.split('=')[1] ?? 12);
const lane = TRANSLATED_LANES[Number(process.argv.find((argument) => argument.startsWith('--lane='))?.split('=')[1] ?? -1)];
if (builds.length < 1) throw new Error('usage: node test/bench/compare.mjs dist/cli.js /other/dist/cli.js [--bursts=12]');

const body = JSON.stringify({ model: 'bench-model', stream: false, messages: [{ role: 'user', content: 'Say hello in one short sentence.' }] });
const workDirectory = mkdtempSync(join(tmpdir(), 'modapi-compare-'));
const upstream = await startFakeUpstream();
const sides = [];
for (const [index, cli] of builds.entries()) {
  process.env.BENCH_CLI = cli;
  const gateway = await startGatewayProcess({ upstreamUrl: upstream.url, token: TOKEN, key: KEY, ledgerDir: join(workDirectory, `ledger-${index}`) });
  sides.push({ cli, gateway, pool: createPool(gateway.url, 64), cpu: [], rps: [] });
}
const spec = lane ? lane.gateway(TOKEN, 'bench-model', false) : chatSpecs(TOKEN).gateway(body);
for (const side of sides) await fixedCount(side.pool, spec, 16, 3_000);
await onSeparateCores({ measured: sides.map((side) => side.gateway.child.pid), others: [upstream.child.pid] }, async () => {
  for (let burst = 0; burst < bursts; burst += 1) {
    for (const side of burst % 2 === 0 ? sides : [...sides].reverse()) {
      const before = cpuMilliseconds(side.gateway.child.pid);
      const { completed, seconds } = await throughput(side.pool, spec, 32, 1_500);
      side.cpu.push((cpuMilliseconds(side.gateway.child.pid) - before) / completed);
      side.rps.push(completed / seconds);
    }
  }
});
for (const side of sides) {
  console.log(`${side.cli}: CPU ${median(side.cpu).toFixed(3)} ms/request, ${median(side.rps).toFixed(0)} req/s (medians of ${bursts} bursts)`);
  await side.pool.close();
  await stopProcess(side.gateway.child);
}
await stopProcess(upstream.child);
rmSync(workDirectory, { recursive: true, force: true });
