// Real PostgreSQL and Redis servers of a test's (or the bench's) own, on 127.0.0.1 and free ports,
// stopped by their process ids. Plain JavaScript so the bench (plain node) shares it with the tests.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Debian's PostgreSQL 15 binaries (apt: postgresql, redis-server; see .ci/run). */
export const POSTGRES_BIN = '/usr/lib/postgresql/15/bin';
export const teamServersAvailable = () => existsSync(join(POSTGRES_BIN, 'initdb')) && existsSync('/usr/bin/redis-server');

export const freePort = () =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });

const isRoot = () => process.getuid?.() === 0;

/** Postgres refuses to run as root: as root, its commands run as the `postgres` user. */
const asPostgres = (command, args) => (isRoot() ? ['runuser', ['-u', 'postgres', '--', command, ...args]] : [command, args]);

const alive = (pid) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

const waitUntil = async (done, timeoutMs, what) => {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
};

/** A PostgreSQL server in a temporary data folder; start() again after stop() keeps its data. */
export class TestPostgres {
  dir = mkdtempSync(join(tmpdir(), 'modapi-pg-'));
  port = 0;
  pid = undefined;

  get url() {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  async start() {
    if (isRoot()) execFileSync('chown', ['postgres:postgres', this.dir]);
    if (!existsSync(join(this.dir, 'PG_VERSION'))) {
      const [command, args] = asPostgres(join(POSTGRES_BIN, 'initdb'), ['-D', this.dir, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8']);
      execFileSync(command, args, { stdio: 'ignore' });
    }
    this.port ||= await freePort();
    // A test database: durability traded for speed (the tests stop it cleanly).
    const options = `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off`;
    const [command, args] = asPostgres(join(POSTGRES_BIN, 'pg_ctl'), ['-D', this.dir, '-o', options, '-l', join(this.dir, 'log'), '-w', '-t', '30', 'start']);
    execFileSync(command, args, { stdio: 'ignore' });
    this.pid = Number(readFileSync(join(this.dir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    return this;
  }

  /** Fast shutdown (SIGINT to the postmaster), waiting until it is gone. */
  async stop() {
    const pid = this.pid;
    this.pid = undefined;
    if (!pid || !alive(pid)) return;
    process.kill(pid, 'SIGINT');
    await waitUntil(() => !alive(pid), 20_000, 'postgres to stop');
  }

  async destroy() {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A redis-server without persistence. */
export class TestRedis {
  port = 0;
  child = undefined;

  get url() {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start() {
    this.port ||= await freePort();
    const child = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no'], { stdio: ['ignore', 'pipe', 'ignore'] });
    this.child = child;
    let output = '';
    child.stdout.on('data', (chunk) => {
      if (output.length < 10_000) output += chunk.toString();
    });
    await waitUntil(() => output.includes('Ready to accept connections') || child.exitCode !== null, 10_000, 'redis-server to start');
    if (child.exitCode !== null) throw new Error(`redis-server exited: ${output}`);
    return this;
  }

  async stop() {
    const child = this.child;
    this.child = undefined;
    if (!child?.pid || child.exitCode !== null) return;
    process.kill(child.pid, 'SIGTERM');
    await waitUntil(() => child.exitCode !== null || child.signalCode !== null, 10_000, 'redis-server to stop');
  }
}
