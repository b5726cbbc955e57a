// `npm run bench`: the gateway against the direct path, on this machine. See the README section
// "Benchmark" for how to read the table. `--profile` writes a CPU profile of the gateway process.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { ledgerStall } from './ledger-stall.mjs';
import { createPool } from './load.mjs';
import * as phases from './phases.mjs';
import * as lanes from './lanes.mjs';
import { memoryBounds } from './memory-bounds.mjs';
import { placementSummary } from './placement.mjs';
import { routerComparison } from './router-compare.mjs';
import { startFakeUpstream, startGatewayProcess, stopProcess } from './processes.mjs';
import { teamStoreRelay } from './team-store.mjs';

const TOKEN = 'mk-local-bench-token-7f3a9c1e5b2d4f60';
const KEY = 'sk-bench-upstream-key-0d9e8f7a6b5c4d3e';
const profile = process.argv.includes('--profile');
/** `--bare` puts test/bench/bare-proxy.mjs in the gateway's place: the floor for a Node proxy. */
const bare = process.argv.includes('--bare');
/** `--only=latency,streams` runs some phases (while profiling or fixing one thing). */
const only = process.argv.find((argument) => argument.startsWith('--only='))?.slice('--only='.length).split(',');

/** Each phase: its `--only` name, its progress label, its run, and (for a phase that needs the
 * gateway's own work) why `--bare` leaves it out. */
const PHASES = [
  ['latency', 'latency at concurrency 1', (context) => phases.latencyAtConcurrencyOne(context)],
  // Before the large bodies, which leave the heap (and RSS) larger for a while.
  ['many-streams', '500 concurrent streams', (context) => phases.manyStreams(context)],
  ['rps32', 'throughput at 32 connections', (context) => phases.requestsPerSecond(context, 32)],
  ['rps128', 'throughput at 128 connections', (context) => phases.requestsPerSecond(context, 128)],
  ['streams', '50-chunk streams', (context) => phases.streaming(context)],
  ['bare-pipe', 'relay lane beside a bare pipe: first byte, chunk delay, 1 MB prompt', (context) => lanes.besideBarePipe(context)],
  ['translated', 'translated lanes', (context) => lanes.translatedLanes(context), 'a byte pipe does not translate'],
  ['router', 'claude-code-router side by side', (context) => routerComparison(context), 'a byte pipe does not translate'],
  ['upload', '10 MB upload', (context) => phases.largeUpload(context, TOKEN)],
  ['memory', 'memory over 50,000 requests', (context) => phases.memoryGrowth(context)],
  ['token-timing', 'token comparison timing', (context) => phases.tokenTiming(context, TOKEN), 'a byte pipe has no token'],
  // In a process of its own: the ledger's start and export as the extension host runs them.
  ['ledger', 'a year of ledger records: rebuild and CSV export', () => ledgerStall(), 'the ledger is not the proxy'],
  ['memory-bounds', '200 MB answers on every lane (a gateway of its own)', (context) => memoryBounds(context), 'it starts a gateway of its own'],
  ['team-store', 'relay lane with Postgres and Redis configured (a gateway of its own)', (context) => teamStoreRelay(context), 'it starts a gateway of its own'],
];

const ledgerRecords = (directory) => {
  let records = 0;
  const files = readdirSync(directory, { recursive: true }).map(String);
  for (const file of files) {
    try {
      records += readFileSync(join(directory, file), 'utf8').split('\n').filter((line) => line.trim()).length;
    } catch {
      // a folder
    }
  }
  return { records, files };
};

const secretsIn = (text) => [TOKEN, KEY].filter((secret) => text.includes(secret)).length;

const printTable = (rows) => {
  const header = { name: 'measure', direct: 'direct', gateway: 'gateway', figure: 'figure', target: 'target', pass: 'result' };
  const cells = [header, ...rows.map((row) => ({ ...row, pass: row.pass === undefined ? '' : row.pass ? 'PASS' : 'FAIL' }))];
  const widths = Object.keys(header).map((key) => Math.max(...cells.map((cell) => String(cell[key]).length)));
  for (const [index, cell] of cells.entries()) {
    console.log(Object.keys(header).map((key, column) => String(cell[key]).padEnd(widths[column])).join('  '));
    if (index === 0) console.log(widths.map((width) => '-'.repeat(width)).join('  '));
  }
};

const main = async () => {
  const started = performance.now();
  // The machine's other load moves every figure: the table says how loaded it was.
  const loadAtStart = loadavg()[0];
  const workDirectory = mkdtempSync(join(tmpdir(), 'modapi-bench-'));
  const ledgerDir = join(workDirectory, 'ledger');
  const upstream = await startFakeUpstream();
  const gateway = await startGatewayProcess({ upstreamUrl: upstream.url, token: TOKEN, key: KEY, ledgerDir, cpuProfileDir: profile ? join(workDirectory, 'profile') : undefined, bare });
  const pools = { direct: createPool(upstream.url, 512), gateway: createPool(gateway.url, 512) };
  const specs = phases.chatSpecs(TOKEN);
  const context = { pools, gateway, upstream, token: TOKEN, key: KEY, workDirectory, specs: { direct: specs.direct, gateway: specs.gateway } };
  const rows = [];
  const step = async (label, run) => {
    process.stderr.write(`bench: ${label}...\n`);
    rows.push(...(await run()));
  };
  try {
    process.stderr.write('bench: warming up...\n');
    await phases.warmUp(context);
    for (const [name, label, run, gatewayOnly] of PHASES) {
      if (only && !only.includes(name)) continue;
      if (bare && gatewayOnly) rows.push({ name: label, direct: '', gateway: '', figure: `not measured with --bare: ${gatewayOnly}`, target: '', pass: undefined });
      else await step(label, () => run(context));
    }
    if (!bare) await phases.failingRequests(context, TOKEN);
  } finally {
    await Promise.all([pools.direct.close(), pools.gateway.close()]);
    await stopProcess(gateway.child);
    await stopProcess(upstream.child);
  }
  const ledger = ledgerRecords(workDirectory);
  const ledgerText = ledger.files.map((file) => {
    try {
      return readFileSync(join(workDirectory, file), 'utf8');
    } catch {
      return '';
    }
  });
  const leaks = secretsIn(gateway.output.stdout) + secretsIn(gateway.output.stderr) + ledgerText.reduce((sum, text) => sum + secretsIn(text), 0);
  console.log('');
  console.log(`ModAPI gateway bench: Node ${process.version}, ${(performance.now() - started) / 1000 | 0} s; medians over interleaved rounds; "added" = gateway minus direct.`);
  if (bare) console.log('--bare: a bare node:http byte pipe (test/bench/bare-proxy.mjs) in the gateway column: which targets the thinnest Node proxy meets on this machine today');
  console.log(`load average (1 min, ${availableParallelism()} cores): ${loadAtStart.toFixed(1)} at the start, ${loadavg()[0].toFixed(1)} at the end`);
  console.log(`cores: ${placementSummary()}`);
  console.log(ledger.records > 0 ? `ledger: on (${ledger.records} records under --ledger)` : 'ledger: off (this build of the CLI wrote no ledger records under --ledger)');
  console.log('');
  printTable(rows);
  console.log('');
  console.log(`key or token in the gateway's output or ledger: ${leaks === 0 ? 'none (PASS)' : `${leaks} (FAIL)`}`);
  // With diagnostic flags (BENCH_NODE_FLAGS=--trace-gc), what the gateway printed is what was asked for.
  if (process.env.BENCH_NODE_FLAGS && leaks === 0) {
    const outputFile = join(tmpdir(), 'modapi-bench-gateway-output.txt');
    writeFileSync(outputFile, gateway.output.stdout + gateway.output.stderr);
    console.log(`the gateway's output under BENCH_NODE_FLAGS: ${outputFile}`);
  }
  if (profile) console.log(`CPU profile of the gateway: ${join(workDirectory, 'profile')} (open in Chrome DevTools or speedscope)`);
  else rmSync(workDirectory, { recursive: true, force: true });
  const failed = rows.filter((row) => row.pass === false).length + (leaks > 0 ? 1 : 0);
  console.log(failed === 0 ? 'all targets met' : `${failed} target(s) missed`);
  process.exitCode = failed === 0 ? 0 : 1;
};

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
