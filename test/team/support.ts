import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import type { TestContext } from 'node:test';
import pg from 'pg';
import { FakeUpstream, sendJson } from '../support/fake-upstream.js';
import { teamServersAvailable, TestPostgres, TestRedis } from '../support/team-servers.mjs';

const ROOT = join(import.meta.dirname, '..', '..');
const CLI = join(ROOT, 'dist', 'cli.js');
export const ADMIN_TOKEN = 'mk-local-team-admin-0123456789abcdef';
const KEY = 'sk-team-upstream-key-never-printed-77';

/** Priced models of the fake upstream: the estimate assumes 1,000 output tokens at $10 per 1M
 * ($0.01); `m-under` answers 2,000 ($0.02, twice its estimate), `m-over` 500 ($0.005, half), and
 * `m-exact-slow` 1,000 (its estimate exactly) after 300 ms instead of 30, so requests are still in
 * flight when something happens to their holds. */
export const PRICES = { 'm-under': { input: 0, output: 10 }, 'm-over': { input: 0, output: 10 }, 'm-exact-slow': { input: 0, output: 10 }, 'm-free': { input: 0, output: 0 } };
export const ESTIMATE_USD = 0.01;
export const ACTUAL_USD: Record<string, number> = { 'm-under': 0.02, 'm-over': 0.005, 'm-exact-slow': 0.01, 'm-free': 0 };
const COMPLETION_TOKENS: Record<string, number> = { 'm-under': 2_000, 'm-over': 500, 'm-exact-slow': 1_000, 'm-free': 10 };
const ANSWER_MS: Record<string, number> = { 'm-exact-slow': 300 };
export const HOLD_SECONDS = 3;

export interface Replica {
  child: ChildProcess;
  port: number;
  spool: string;
  output(): string;
}

/** Postgres, Redis, a fake upstream and N `dist/cli.js` replicas over them, all on 127.0.0.1. */
/** A suite's cluster: the servers must be installed (never a skip), dist/cli.js is built, then
 * `replicas` replicas start on one Postgres and one Redis, with `config` added to their config file. */
export const startTeamCluster = async (replicas: number, config: Record<string, unknown> = {}): Promise<TeamCluster> => {
  if (!teamServersAvailable()) throw new Error('postgresql 15 and redis-server are needed (apt-get install postgresql redis-server; .ci/run installs them)');
  execFileSync(process.execPath, ['esbuild.js'], { cwd: join(import.meta.dirname, '..', '..'), stdio: 'pipe' });
  return new TeamCluster().start(replicas, config);
};

export class TeamCluster {
  readonly postgres = new TestPostgres();
  readonly redis = new TestRedis();
  readonly upstream = new FakeUpstream();
  readonly work = mkdtempSync(join(tmpdir(), 'modapi-team-'));
  readonly replicas: Replica[] = [];
  pool!: pg.Pool;

  async start(replicas: number, config: Record<string, unknown> = {}): Promise<this> {
    await Promise.all([this.postgres.start(), this.redis.start(), this.startUpstream()]);
    writeFileSync(join(this.work, 'config.json'), JSON.stringify({ priceOverrides: PRICES, ...config }));
    await this.cli(['migrate']);
    this.pool = new pg.Pool({ connectionString: this.postgres.url, max: 4 });
    this.pool.on('error', () => undefined);
    for (let index = 0; index < replicas; index += 1) this.replicas.push(await this.startReplica(join(this.work, `spool-${index}`)));
    return this;
  }

  environment(): NodeJS.ProcessEnv {
    return {
      PATH: process.env.PATH,
      HOME: this.work,
      MODAPI_STORE_URL: this.postgres.url,
      MODAPI_REDIS_URL: this.redis.url,
      MODAPI_API_KEY: KEY,
      MODAPI_BASE_URL: this.upstream.url(),
      MODAPI_HOLD_SECONDS: String(HOLD_SECONDS),
    };
  }

  /** Runs a CLI command (migrate, tokens ...) against the store; resolves with its output. */
  async cli(args: string[], environment: NodeJS.ProcessEnv = this.environment()): Promise<string> {
    const { stdout } = await promisify(execFile)(process.execPath, [CLI, ...args], { env: environment });
    return stdout;
  }

  async createToken(name: string, flags: string[] = []): Promise<string> {
    const printed = await this.cli(['tokens', 'create', '--name', name, ...flags]);
    const secret = /\(shown once, stored only as a hash\): (\S+)/.exec(printed)?.[1];
    if (!secret) throw new Error(`no secret printed: ${printed}`);
    await this.accepted(secret);
    return secret;
  }

  /** Waits until every replica knows a token the store has just been given. */
  async accepted(token: string, replicas: Replica[] = this.replicas): Promise<void> {
    for (const replica of replicas) {
      const deadline = Date.now() + 5_000;
      while ((await fetch(`http://127.0.0.1:${replica.port}/v1/models`, { headers: { authorization: `Bearer ${token}` } })).status !== 200) {
        if (Date.now() > deadline) throw new Error('a replica never learnt the new token');
        await sleep(50);
      }
    }
  }

  async startReplica(spool: string, environment: NodeJS.ProcessEnv = this.environment()): Promise<Replica> {
    // Each replica its own ledger, as on machines of their own (not one file every replica appends to).
    const args = ['--port', '0', '--token', ADMIN_TOKEN, '--config', join(this.work, 'config.json'), '--spool', spool, '--ledger', `${spool}-ledger`];
    const child = spawn(process.execPath, [CLI, ...args], { env: environment, stdio: ['ignore', 'pipe', 'pipe'] });
    let printed = '';
    child.stdout!.setEncoding('utf8').on('data', (text: string) => (printed += text));
    child.stderr!.setEncoding('utf8').on('data', (text: string) => (printed += text));
    const port = await new Promise<number>((resolve, reject) => {
      const check = () => {
        const match = /listening on http:\/\/127\.0\.0\.1:(\d+)\/v1/.exec(printed);
        if (match) resolve(Number(match[1]));
      };
      child.stdout!.on('data', check);
      child.once('exit', () => reject(new Error(`a replica exited before listening: ${printed}`)));
    });
    return { child, port, spool, output: () => printed };
  }

  async query<T extends pg.QueryResultRow>(sql: string, values: unknown[] = []): Promise<T[]> {
    return (await this.pool.query<T>(sql, values)).rows;
  }

  /** Waits until every live replica reports nothing left in its spool. */
  async drained(replicas: Replica[] = this.replicas, timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const states = await Promise.all(replicas.map(async (replica) => (await (await fetch(`http://127.0.0.1:${replica.port}/ready`)).json()) as { store: { spooled: number; postgres: string } }));
      if (states.every((state) => state.store.spooled === 0 && state.store.postgres === 'up')) return;
      if (Date.now() > deadline) throw new Error(`spools not drained: ${JSON.stringify(states)}`);
      await sleep(200);
    }
  }

  /** Waits until every replica reports Redis up (after Redis was restarted). */
  async redisUp(replicas: Replica[] = this.replicas, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (const replica of replicas) {
      while (((await (await fetch(`http://127.0.0.1:${replica.port}/ready`)).json()) as { store: { redis: string } }).store.redis !== 'up') {
        if (Date.now() > deadline) throw new Error('a replica did not reconnect to Redis');
        await sleep(100);
      }
    }
  }

  async stop(): Promise<void> {
    for (const replica of this.replicas) if (replica.child.exitCode === null && replica.child.signalCode === null) replica.child.kill('SIGKILL');
    await this.pool?.end().catch(() => undefined);
    await Promise.all([this.postgres.destroy(), this.redis.stop(), this.upstream.close()]);
    rmSync(this.work, { recursive: true, force: true });
  }

  private async startUpstream(): Promise<void> {
    this.upstream
      .on('GET /v1/models', (_request, response) => sendJson(response, 200, { object: 'list', data: Object.keys(PRICES).map((id) => ({ id, object: 'model', owned_by: 'test' })) }))
      .on('POST /v1/chat/completions', async (request, response) => {
        const model = request.json().model as string;
        await sleep(ANSWER_MS[model] ?? 30);
        sendJson(response, 200, {
          id: 'chatcmpl-team',
          object: 'chat.completion',
          created: 1,
          model,
          choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }],
          usage: { prompt_tokens: 5, completion_tokens: COMPLETION_TOKENS[model] ?? 10, total_tokens: 5 + (COMPLETION_TOKENS[model] ?? 10) },
        });
      });
    await this.upstream.start();
  }
}

/** A client for a test to look inside Redis: it gives up at once when Redis is away, and it is
 * closed when the test ends, passed or failed (a client left open would keep the run alive). */
export const redisFor = (context: TestContext, url: string): Redis => {
  const redis = new Redis(url, { retryStrategy: () => null, maxRetriesPerRequest: 1 });
  redis.on('error', () => undefined);
  context.after(() => redis.disconnect());
  return redis;
};

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export interface Answer {
  status: number;
  requestId: string | null;
  replica: number;
  at: number;
}

/** The cap is reached: refusals only, for half a second (the holds of the last requests settled). */
export const capReached = (answers: Answer[]): boolean => {
  const lastAnswered = Math.max(0, ...answers.filter((answer) => answer.status === 200).map((answer) => answer.at));
  return answers.filter((answer) => answer.status === 429).length >= 50 && Date.now() - lastAnswered > 500;
};

export const chat = async (port: number, token: string, model: string): Promise<{ status: number; requestId: string | null }> => {
  const response = await fetch(`http://127.0.0.1:${port}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] }),
  });
  await response.arrayBuffer();
  return { status: response.status, requestId: response.headers.get('x-request-id') };
};

/** A load runs until its `stop` says so, or fails after this long instead of running on. */
const LOAD_LIMIT_MS = 60_000;

/** `clients` loops spread over the replicas, each sending one request after another until `stop`
 * says so; a replica that cannot be reached is skipped. Returns every answer seen. */
export const load = async (replicas: () => Replica[], token: string, model: string, clients: number, stop: (answers: Answer[]) => boolean): Promise<Answer[]> => {
  const answers: Answer[] = [];
  const deadline = Date.now() + LOAD_LIMIT_MS;
  let overran = false;
  const done = (): boolean => stop(answers) || (overran ||= Date.now() > deadline);
  await Promise.all(
    Array.from({ length: clients }, async (_, client) => {
      for (let turn = 0; !done(); turn += 1) {
        const live = replicas();
        const index = (client + turn) % live.length;
        try {
          const answer = await chat((live[index] as Replica).port, token, model);
          answers.push({ ...answer, replica: index, at: Date.now() });
          // A refused client backs off a little, as SDKs do, instead of spinning.
          if (answer.status === 429) await sleep(100);
        } catch {
          await sleep(5);
        }
      }
    }),
  );
  if (overran) throw new Error(`the load never reached its end in ${LOAD_LIMIT_MS / 1_000} s; statuses seen: ${JSON.stringify(countStatuses(answers))}`);
  return answers;
};

const countStatuses = (answers: Answer[]): Record<number, number> => {
  const counts: Record<number, number> = {};
  for (const answer of answers) counts[answer.status] = (counts[answer.status] ?? 0) + 1;
  return counts;
};

/** What a token spent, by Postgres's usage events, in USD. */
export const spentUsd = async (cluster: TeamCluster, client: string): Promise<number> => {
  const rows = await cluster.query<{ spent: number | null }>('SELECT sum(spend_micro)::bigint AS spent FROM usage_events WHERE client = $1', [client]);
  return (rows[0]?.spent ?? 0) / 1_000_000;
};
