import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { build } from 'esbuild';
import { UsageLedger } from '../../proxy/usage/usage-ledger.js';
import { collect } from './support.js';
import { FakeUpstream, sendEvents, sendJson } from '../support/fake-upstream.js';
import { fixtureEvents, fixtureJson } from '../support/fixtures.js';

/** The built standalone gateway, killed with SIGKILL under load: its ledger still reads, and every
 * request whose answer a client received in full has its record. The CLI is bundled here with
 * esbuild.js's options for dist/cli.js, into a folder of this test's own, so a concurrent build of
 * dist/ cannot change it under the test. */

const TOKEN = 'mk-local-crash-test-0123456789abcdef';
const KEY = 'sk-crash-test-upstream-key-0123456789';
let work: string;
let upstream: FakeUpstream;
let child: ChildProcess | undefined;

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'modapi-crash-'));
  await build({ entryPoints: ['proxy/cli.ts'], outfile: join(work, 'cli.js'), bundle: true, platform: 'node', target: 'node20', format: 'cjs', logLevel: 'warning', banner: { js: '#!/usr/bin/env node' } });
  const events = fixtureEvents('openai/chat-stream-text-include-usage-gpt-4o.openai-python.sse');
  const whole = fixtureJson('openai/chat-completion-text-gpt-4-1-nano.vercel.json');
  upstream = await new FakeUpstream()
    .on('POST /v1/chat/completions', async (request, response) => {
      await new Promise((resolve) => setTimeout(resolve, Math.floor(Math.random() * 5)));
      if (request.json().stream) await sendEvents(response, events);
      else sendJson(response, 200, whole);
    })
    .start();
});

after(async () => {
  if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await upstream.close();
  rmSync(work, { recursive: true, force: true });
});

const childEnvironment = () => ({ PATH: process.env.PATH ?? '', MODAPI_API_KEY: KEY, MODAPI_BASE_URL: upstream.url() });

const startCli = (ledger: string): Promise<{ process: ChildProcess; port: number }> =>
  new Promise((resolve, reject) => {
    const started = spawn(process.execPath, [join(work, 'cli.js'), '--port', '0', '--token', TOKEN, '--ledger', ledger], { env: childEnvironment(), stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const timer = setTimeout(() => reject(new Error(`the gateway did not start: ${output}`)), 15_000);
    started.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on http:\/\/127\.0\.0\.1:(\d+)\/v1/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve({ process: started, port: Number(match[1]) });
      }
    });
    started.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    started.once('exit', (code) => reject(new Error(`the gateway exited (${code}): ${output}`)));
  });

/** One request; the request id when the whole answer arrived, undefined when it did not. */
const oneRequest = async (port: number, stream: boolean): Promise<string | undefined> => {
  try {
    const response = await fetch(`http://127.0.0.1:${port}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: stream ? 'gpt-4o' : 'gpt-4.1-nano', stream, messages: [{ role: 'user', content: 'hi' }] }),
    });
    const text = await response.text();
    const complete = response.status === 200 && (stream ? text.trimEnd().endsWith('data: [DONE]') : JSON.parse(text).object === 'chat.completion');
    return complete ? (response.headers.get('x-request-id') ?? undefined) : undefined;
  } catch {
    return undefined;
  }
};

/** Runs 8 clients against the gateway and kills it with SIGKILL once `killAfter` answers arrived.
 * Returns the ids of the answers received in full, and how many requests the kill cut. */
const loadAndKill = async (gateway: { process: ChildProcess; port: number }, killAfter: number): Promise<{ acknowledged: string[]; cut: number }> => {
  const acknowledged: string[] = [];
  let cut = 0;
  let killed = false;
  const worker = async (index: number) => {
    // Bounded: each worker stops after 400 requests even if the kill never came.
    for (let sent = 0; sent < 400 && !killed; sent += 1) {
      const id = await oneRequest(gateway.port, (sent + index) % 2 === 0);
      if (id) acknowledged.push(id);
      else cut += 1;
      if (!killed && acknowledged.length >= killAfter) {
        killed = true;
        gateway.process.kill('SIGKILL');
      }
    }
  };
  await Promise.all(Array.from({ length: 8 }, (_, index) => worker(index)));
  await new Promise((resolve) => (gateway.process.exitCode !== null || gateway.process.signalCode !== null ? resolve(undefined) : gateway.process.once('exit', resolve)));
  assert.equal(gateway.process.signalCode, 'SIGKILL', 'the gateway was killed, not stopped');
  return { acknowledged, cut };
};

test('SIGKILL under load, twice on the same ledger: it parses and nothing acknowledged is missing', { timeout: 60_000 }, async () => {
  const ledgerDir = join(work, 'ledger');
  const acknowledged: string[] = [];
  // The second run appends after the first one's kill (and its possibly torn last line).
  for (let round = 0; round < 2; round += 1) {
    const gateway = await startCli(ledgerDir);
    child = gateway.process;
    const run = await loadAndKill(gateway, 150);
    assert.ok(run.acknowledged.length >= 150, `load ran: ${run.acknowledged.length} answers`);
    assert.ok(run.cut >= 1, 'requests were in flight at the kill');
    acknowledged.push(...run.acknowledged);
  }

  const ledger = await UsageLedger.open({ dir: ledgerDir, recentLimit: 10_000 });
  assert.ok(ledger.loadStats.skippedLines <= 2, 'at most a torn last line per kill');
  const recorded = new Set((await collect(ledger.records({}))).map((record) => record.requestId));
  const missing = acknowledged.filter((id) => !recorded.has(id));
  assert.deepEqual(missing, [], `${missing.length} of ${acknowledged.length} acknowledged requests have no record`);
  const totals = ledger.summary({}).totals;
  assert.ok(totals.requests >= acknowledged.length);
  ledger.close();

  // The same ledger through the built CLI's usage report.
  const report = spawnSync(process.execPath, [join(work, 'cli.js'), 'usage', '--ledger', ledgerDir, '--group-by', 'model'], { env: childEnvironment(), encoding: 'utf8' });
  assert.equal(report.status, 0, report.stderr);
  assert.match(report.stdout, /^gpt-4o +\d+/m);
  assert.match(report.stdout, /^gpt-4\.1-nano +\d+/m);
  assert.match(report.stdout, new RegExp(`^total +${totals.requests.toLocaleString('en-US')} `, 'm'));
});
