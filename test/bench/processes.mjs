// Child processes of the bench (fake upstream, gateway) and what /proc says about them.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const here = (name) => fileURLToPath(new URL(name, import.meta.url));
const CLOCK_TICKS_PER_SECOND = 100; // Linux USER_HZ; /proc reports CPU time in these ticks

/** Starts a node process and resolves once a line of its stdout matches `ready`. */
const startNode = (args, env, ready) =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const output = { stdout: '', stderr: '' };
    let settled = false;
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (text) => {
      output.stdout += text;
      const match = ready.exec(output.stdout);
      if (match && !settled) {
        settled = true;
        resolve({ child, match, output });
      }
    });
    child.stderr.on('data', (text) => {
      output.stderr += text;
    });
    child.once('exit', (code) => {
      if (!settled) reject(new Error(`${args.join(' ')} exited with ${code}: ${output.stderr.slice(0, 2000)}`));
    });
  });

export const startFakeUpstream = async () => {
  const { child, match } = await startNode([here('./fake-upstream.mjs')], process.env, /listening on (\d+)/);
  return { child, port: Number(match[1]), url: `http://127.0.0.1:${match[1]}` };
};

/** The built CLI as its own process, with the bench's probe (forced GC + memory report on SIGUSR2). */
export const startGatewayProcess = async ({ upstreamUrl, token, key, ledgerDir, cpuProfileDir, bare = false, extraArgs = [], extraEnv = {} }) => {
  const flags = ['--expose-gc', '--require', (process.env.BENCH_PROBE ?? here('./memory-probe.cjs'))];
  if (cpuProfileDir) flags.push('--cpu-prof', '--cpu-prof-dir', cpuProfileDir);
  // Diagnostics for one run, e.g. BENCH_NODE_FLAGS=--trace-gc (the gateway's output is kept).
  if (process.env.BENCH_NODE_FLAGS) flags.push(...process.env.BENCH_NODE_FLAGS.split(' '));
  const args = bare ? [...flags, here('./bare-proxy.mjs')] : [...flags, (process.env.BENCH_CLI ?? here('../../dist/cli.js')), '--port', '0', '--token', token];
  // Without a folder of the bench's own, no ledger: never the machine's own data folder.
  if (!bare) args.push(...(ledgerDir ? ['--ledger', ledgerDir] : ['--no-ledger']));
  args.push(...extraArgs);
  // The Anthropic and Gemini upstreams are the same fake (its paths tell the dialects apart).
  const env = { PATH: process.env.PATH, HOME: process.env.HOME, MODAPI_API_KEY: key, MODAPI_BASE_URL: `${upstreamUrl}/v1`, ANTHROPIC_API_KEY: key, ANTHROPIC_BASE_URL: upstreamUrl, GEMINI_API_KEY: key, GEMINI_BASE_URL: upstreamUrl, ...extraEnv };
  const { child, match, output } = await startNode(args, env, /listening on http:\/\/127\.0\.0\.1:(\d+)\/v1/);
  return { child, port: Number(match[1]), url: `http://127.0.0.1:${match[1]}`, output };
};

/** User + system CPU time of a process so far, in milliseconds. */
export const cpuMilliseconds = (pid) => {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // After the command name: state is field 3, utime field 14, stime field 15 (1-based, man proc).
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_SECOND;
};

/** Resident set size of a process now, in megabytes. */
export const rssMegabytes = (pid) => {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /VmRSS:\s+(\d+) kB/.exec(status);
  return match ? Number(match[1]) / 1024 : Number.NaN;
};

/** Asks the gateway's probe to collect garbage and report its memory (see memory-probe.cjs). */
export const memoryAfterGc = (gateway) =>
  new Promise((resolve, reject) => {
    const before = gateway.output.stdout.length;
    const timer = setTimeout(() => reject(new Error('the gateway did not report its memory')), 5_000);
    const poll = setInterval(() => {
      const match = /bench-memory (\{[^\n]*\})\n/.exec(gateway.output.stdout.slice(before));
      if (!match) return;
      clearInterval(poll);
      clearTimeout(timer);
      resolve(JSON.parse(match[1]));
    }, 20);
    gateway.child.kill('SIGUSR2');
  });

export const stopProcess = (child) =>
  new Promise((resolve) => {
    if (child.exitCode !== null) {
      resolve();
      return;
    }
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
