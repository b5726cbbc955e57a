// claude-code-router beside the gateway on the same workload (issue 12): an Anthropic client's
// non-streamed /v1/messages over the bench's OpenAI-compatible upstream, 32 connections, in short
// alternating bursts so that other load on the machine hits both alike. The router's version is
// pinned (claude-code-router/package.json and its lockfile); npm installs it once into
// .cache/bench-tools, and every later run is offline. It runs as its users run it (`ccr start`),
// with a config of its own in a temporary HOME, logging off (its fastest setting).
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createPool, fixedCount, throughput } from './load.mjs';
import { onSeparateCores } from './placement.mjs';
import { cpuMilliseconds, stopProcess } from './processes.mjs';
import { formatNumber, median } from './stats.mjs';

const here = (name) => fileURLToPath(new URL(name, import.meta.url));
const PACKAGE = JSON.parse(readFileSync(here('./claude-code-router/package.json'), 'utf8'));
const VERSION = PACKAGE.dependencies['@musistudio/claude-code-router'];
const TOOL_DIRECTORY = here(`../../.cache/bench-tools/claude-code-router-${VERSION}`);
const CLI = join(TOOL_DIRECTORY, 'node_modules/@musistudio/claude-code-router/dist/cli.js');
const ROUTER_KEY = 'ccr-bench-local-key-5e1d';
const INSTALL_TIMEOUT_MS = 240_000;

/** The pinned router, installed on first use; `{ reason }` when it cannot be had. */
const installed = () => {
  if (existsSync(CLI)) return {};
  mkdirSync(TOOL_DIRECTORY, { recursive: true });
  for (const file of ['package.json', 'package-lock.json']) copyFileSync(here(`./claude-code-router/${file}`), join(TOOL_DIRECTORY, file));
  process.stderr.write(`bench: installing claude-code-router ${VERSION} into ${TOOL_DIRECTORY} (once)...\n`);
  // --ignore-scripts: nothing it needs builds at install time (its tokenizer ships as WebAssembly).
  const npm = spawnSync('npm', ['ci', '--no-audit', '--no-fund', '--ignore-scripts', '--loglevel=error'], { cwd: TOOL_DIRECTORY, encoding: 'utf8', timeout: INSTALL_TIMEOUT_MS });
  if (npm.status === 0 && existsSync(CLI)) return {};
  const said = `${npm.stderr ?? ''}${npm.error?.message ?? ''}`.split('\n').find((line) => line.trim()) ?? `exit status ${npm.status}`;
  rmSync(TOOL_DIRECTORY, { recursive: true, force: true });
  return { reason: `npm could not install it (${said.trim().slice(0, 160)})` };
};

const freePort = () =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });

const messagesSpec = (key) => ({
  path: '/v1/messages',
  headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01', 'x-api-key': key },
  body: JSON.stringify({ model: 'bench-model', max_tokens: 256, system: 'You are terse.', messages: [{ role: 'user', content: 'Say hello in one short sentence.' }] }),
});

/** `ccr start` in the foreground, configured against the bench's upstream; resolves once it answers. */
const startRouter = async (upstreamUrl) => {
  const home = mkdtempSync(join(tmpdir(), 'modapi-bench-ccr-'));
  const port = await freePort();
  mkdirSync(join(home, '.claude-code-router'));
  const config = {
    LOG: false,
    HOST: '127.0.0.1',
    PORT: port,
    APIKEY: ROUTER_KEY,
    API_TIMEOUT_MS: 120_000,
    Providers: [{ name: 'bench', api_base_url: `${upstreamUrl}/v1/chat/completions`, api_key: 'sk-bench-router-upstream-key', models: ['bench-model'] }],
    Router: { default: 'bench,bench-model' },
  };
  writeFileSync(join(home, '.claude-code-router', 'config.json'), JSON.stringify(config, null, 2));
  const child = spawn(process.execPath, [CLI, 'start'], { cwd: home, env: { PATH: process.env.PATH, HOME: home }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (text) => (output += text));
  child.stderr.on('data', (text) => (output += text));
  const url = `http://127.0.0.1:${port}`;
  const spec = messagesSpec(ROUTER_KEY);
  for (let attempt = 0; attempt < 150; attempt += 1) {
    if (child.exitCode !== null) break;
    try {
      const answer = await fetch(`${url}${spec.path}`, { method: 'POST', headers: spec.headers, body: spec.body });
      await answer.arrayBuffer();
      if (answer.status === 200) return { child, url, home };
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await stopProcess(child);
  rmSync(home, { recursive: true, force: true });
  throw new Error(`claude-code-router did not answer: ${output.slice(0, 300)}`);
};

const notMeasured = (reason) => ({ name: `req/s, claude-code-router ${VERSION} (direct column) vs gateway: /v1/messages -> OpenAI upstream, c=32`, direct: '', gateway: '', figure: `not measured: ${reason}`, target: '>= 4x its req/s', pass: undefined });

export const routerComparison = async (context, bursts = 5, durationMs = 1_200) => {
  const install = installed();
  if (install.reason) return [notMeasured(install.reason)];
  let router;
  try {
    router = await startRouter(context.upstream.url);
  } catch (error) {
    return [notMeasured(error.message)];
  }
  const sides = {
    router: { pool: createPool(router.url, 32), spec: messagesSpec(ROUTER_KEY), pid: router.child.pid, rps: [], cpu: [] },
    gateway: { pool: createPool(context.gateway.url, 32), spec: messagesSpec(context.token), pid: context.gateway.child.pid, rps: [], cpu: [] },
  };
  try {
    for (const side of Object.values(sides)) await fixedCount(side.pool, side.spec, 16, 1_000);
    await onSeparateCores({ measured: [sides.router.pid, sides.gateway.pid], others: [context.upstream.child.pid] }, async () => {
      for (let burst = 0; burst < bursts; burst += 1) {
        for (const name of burst % 2 === 0 ? ['router', 'gateway'] : ['gateway', 'router']) {
          const side = sides[name];
          const before = cpuMilliseconds(side.pid);
          const { completed, seconds } = await throughput(side.pool, side.spec, 32, durationMs);
          side.cpu.push((cpuMilliseconds(side.pid) - before) / completed);
          side.rps.push(completed / seconds);
        }
      }
    });
  } finally {
    await Promise.all(Object.values(sides).map((side) => side.pool.close()));
    await stopProcess(router.child);
    rmSync(router.home, { recursive: true, force: true });
  }
  const routerRps = median(sides.router.rps);
  const gatewayRps = median(sides.gateway.rps);
  const ratio = gatewayRps / routerRps;
  return [
    {
      ...notMeasured(''),
      direct: formatNumber(routerRps, 0),
      gateway: formatNumber(gatewayRps, 0),
      figure: `${formatNumber(ratio, 2)}x its req/s (CPU per request: gateway ${formatNumber(median(sides.gateway.cpu), 3)} ms, router ${formatNumber(median(sides.router.cpu), 3)} ms)`,
      pass: ratio >= 4,
    },
  ];
};
