import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Debian's PostgreSQL 15 binaries; the team suites and the bench need them. */
export const POSTGRES_BIN = '/usr/lib/postgresql/15/bin';
export const teamServersAvailable = (): boolean => existsSync(join(POSTGRES_BIN, 'initdb')) && existsSync('/usr/bin/redis-server');

export const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

const isRoot = (): boolean => process.getuid?.() === 0;

/** Postgres refuses to run as root: as root, every command runs as the `postgres` user. */
const asPostgres = (command: string, args: string[]): [string, string[]] => (isRoot() ? ['runuser', ['-u', 'postgres', '--', command, ...args]] : [command, args]);

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

const waitUntil = async (done: () => boolean, timeoutMs: number, what: string): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
};

/** A PostgreSQL server of the test's own: a temporary data folder and a free port on 127.0.0.1,
 * stopped by its process id. */
export class TestPostgres {
  readonly dir = mkdtempSync(join(tmpdir(), 'modapi-pg-'));
  port = 0;
  private pid: number | undefined;

  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  async start(): Promise<this> {
    if (isRoot()) execFileSync('chown', ['postgres:postgres', this.dir]);
    if (!existsSync(join(this.dir, 'PG_VERSION'))) {
      const [command, args] = asPostgres(join(POSTGRES_BIN, 'initdb'), ['-D', this.dir, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8']);
      execFileSync(command, args, { stdio: 'ignore' });
    }
    this.port ||= await freePort();
    const options = `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=100`;
    const [command, args] = asPostgres(join(POSTGRES_BIN, 'pg_ctl'), ['-D', this.dir, '-o', options, '-l', join(this.dir, 'log'), '-w', '-t', '30', 'start']);
    execFileSync(command, args, { stdio: 'ignore' });
    this.pid = Number(readFileSync(join(this.dir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    return this;
  }

  /** Fast shutdown (SIGINT to the postmaster), waiting until it is gone. */
  async stop(): Promise<void> {
    const pid = this.pid;
    this.pid = undefined;
    if (!pid || !alive(pid)) return;
    process.kill(pid, 'SIGINT');
    await waitUntil(() => !alive(pid), 20_000, 'postgres to stop');
  }

  async destroy(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A redis-server of the test's own, without persistence, on a free port. */
export class TestRedis {
  port = 0;
  private child: ChildProcess | undefined;

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<this> {
    this.port ||= await freePort();
    const child = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no'], { stdio: ['ignore', 'pipe', 'ignore'] });
    this.child = child;
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      if (output.length < 10_000) output += chunk.toString();
    });
    await waitUntil(() => output.includes('Ready to accept connections') || child.exitCode !== null, 10_000, 'redis-server to start');
    if (child.exitCode !== null) throw new Error(`redis-server exited: ${output}`);
    return this;
  }

  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child?.pid || child.exitCode !== null) return;
    process.kill(child.pid, 'SIGTERM');
    await waitUntil(() => child.exitCode !== null || child.signalCode !== null, 10_000, 'redis-server to stop');
  }
}
