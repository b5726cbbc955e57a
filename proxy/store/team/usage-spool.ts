import { closeSync, existsSync, ftruncateSync, mkdirSync, openSync, readdirSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { UsageRecord } from '../../usage/usage-record.js';

const SPOOL_FILE = /^spool-(\d+)-[0-9a-f]+\.jsonl$/;

/** A file of records some replica answered but may not have written to Postgres. */
export interface SpooledFile {
  path: string;
  records: UsageRecord[];
}

const processAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/** Every answered request's record, on local disk before its answer's last bytes leave: a replica
 * killed before its batch reached Postgres, or a Postgres away for a while, loses nothing. The file
 * is emptied once everything in it is in Postgres; a replica adopts the files of dead replicas
 * (named by their process id) at start and replays them (request ids keep the replay single). */
export class UsageSpool {
  readonly path: string;
  private readonly fd: number;
  private bytes = 0;

  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    this.path = join(dir, `spool-${process.pid}-${randomBytes(4).toString('hex')}.jsonl`);
    this.fd = openSync(this.path, 'a', 0o600);
  }

  append(record: UsageRecord): void {
    this.bytes += writeSync(this.fd, `${JSON.stringify(record)}\n`);
  }

  /** Everything appended so far is in Postgres. */
  empty(): void {
    if (this.bytes === 0) return;
    ftruncateSync(this.fd, 0);
    this.bytes = 0;
  }

  /** Spool files left by replicas no longer running (a torn last line is skipped). */
  orphans(): SpooledFile[] {
    const files: SpooledFile[] = [];
    for (const name of readdirSync(this.dir)) {
      const match = SPOOL_FILE.exec(name);
      const path = join(this.dir, name);
      if (!match || path === this.path || processAlive(Number(match[1]))) continue;
      files.push({ path, records: readRecords(path) });
    }
    return files;
  }

  static remove(path: string): void {
    if (existsSync(path)) unlinkSync(path);
  }

  close(): void {
    closeSync(this.fd);
    // Nothing left to replay: the file goes.
    if (this.bytes === 0) UsageSpool.remove(this.path);
  }
}

const readRecords = (path: string): UsageRecord[] => {
  const records: UsageRecord[] = [];
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (!line) continue;
    try {
      const record = JSON.parse(line) as UsageRecord;
      if (typeof record.requestId === 'string') records.push(record);
    } catch {
      // A line torn by a crash mid-write: its request never got its answer's end.
    }
  }
  return records;
};
