// The relay lane with the team store configured (issue 17): a gateway of its own over a Postgres
// and a Redis started here, called with a store token under a daily cap and a rate limit, so each
// request takes its budget hold and its rate from Redis, and its usage row goes to Postgres.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { teamServersAvailable, TestPostgres, TestRedis } from '../support/team-servers.mjs';
import { createPool, sequentialLatencies, throughput } from './load.mjs';
import { onSeparateCores } from './placement.mjs';
import { cpuMilliseconds, startGatewayProcess, stopProcess } from './processes.mjs';
import { formatNumber, median, percentile } from './stats.mjs';

const CLI = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
const NAMES = ['team store, relay lane c=1: p50 latency (ms)', 'team store: gateway CPU per request at 32 connections', 'team store: usage rows in Postgres'];

const row = (name, direct, gateway, figure, target, pass) => ({ name, direct, gateway, figure, target, pass });

const body = JSON.stringify({ model: 'bench-model', stream: false, messages: [{ role: 'system', content: 'You are terse.' }, { role: 'user', content: 'Say hello in one short sentence.' }] });

/** Usage rows the store holds for the bench's token. */
const storedRows = async (url) => {
  const db = new pg.Client({ connectionString: url });
  await db.connect();
  try {
    const { rows } = await db.query("SELECT count(*)::integer AS count FROM usage_events WHERE client = 'bench-team'");
    return rows[0].count;
  } finally {
    await db.end();
  }
};

export const teamStoreRelay = async (context, rounds = 3, count = 1_000) => {
  if (!teamServersAvailable()) return NAMES.map((name) => row(name, '', '', 'not measured: postgresql 15 or redis-server is not installed', '', undefined));
  const postgres = new TestPostgres();
  const redis = new TestRedis();
  let gateway;
  let pool;
  try {
    await Promise.all([postgres.start(), redis.start()]);
    const env = { PATH: process.env.PATH, HOME: context.workDirectory, MODAPI_STORE_URL: postgres.url, MODAPI_REDIS_URL: redis.url };
    execFileSync(process.execPath, [CLI, 'migrate'], { env, stdio: 'pipe' });
    const created = execFileSync(process.execPath, [CLI, 'tokens', 'create', '--name', 'bench-team', '--team', 'bench', '--daily-usd', '1000000', '--rpm', '100000000'], { env, encoding: 'utf8' });
    const token = /: (mk-team-\S+)/.exec(created)[1];
    const config = join(context.workDirectory, 'team-config.json');
    // A price, so the hold is an estimate and each record settles an actual cost.
    writeFileSync(config, JSON.stringify({ priceOverrides: { 'bench-model': { input: 0.15, output: 0.6 } } }));
    gateway = await startGatewayProcess({
      upstreamUrl: context.upstream.url,
      token: context.token,
      key: context.key,
      extraArgs: ['--config', config, '--spool', join(context.workDirectory, 'team-spool')],
      extraEnv: { MODAPI_STORE_URL: postgres.url, MODAPI_REDIS_URL: redis.url },
    });
    pool = createPool(gateway.url, 64);
    const spec = { path: '/v1/chat/completions', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body };
    const directSpec = context.specs.direct(body);
    // Warm-up: the counters are built from Postgres on first use, and the JIT settles.
    let sent = (await throughput(pool, spec, 16, 1_500)).completed;
    const added = [];
    const p50s = { direct: [], gateway: [] };
    for (let round = 0; round < rounds; round += 1) {
      const direct = percentile(await sequentialLatencies(context.pools.direct, directSpec, count), 0.5);
      const team = percentile(await sequentialLatencies(pool, spec, count), 0.5);
      sent += count;
      p50s.direct.push(direct);
      p50s.gateway.push(team);
      added.push(team - direct);
    }
    const cpu = [];
    await onSeparateCores({ measured: [gateway.child.pid], others: [context.upstream.child.pid] }, async () => {
      for (let round = 0; round < rounds; round += 1) {
        const before = cpuMilliseconds(gateway.child.pid);
        const { completed } = await throughput(pool, spec, 32, 2_000);
        cpu.push((cpuMilliseconds(gateway.child.pid) - before) / completed);
        sent += completed;
      }
    });
    const addedP50 = median(added);
    const cpuPerRequest = median(cpu);
    await pool.close();
    pool = undefined;
    // Stopped as an operator stops a replica: what it answered is in Postgres once it has exited.
    await stopProcess(gateway.child);
    gateway = undefined;
    const stored = await storedRows(postgres.url);
    return [
      row(NAMES[0], formatNumber(median(p50s.direct), 3), formatNumber(median(p50s.gateway), 3), `${formatNumber(addedP50, 3)} ms added`, '<= 1 ms', addedP50 <= 1),
      row(NAMES[1], '', '', `${formatNumber(cpuPerRequest, 3)} ms`, '<= 0.5 ms', cpuPerRequest <= 0.5),
      row(NAMES[2], '', '', `${stored} rows for ${sent} answered requests`, 'one per answered request', stored === sent),
    ];
  } finally {
    await pool?.close();
    if (gateway) await stopProcess(gateway.child);
    await Promise.all([postgres.destroy(), redis.stop()]);
  }
};
