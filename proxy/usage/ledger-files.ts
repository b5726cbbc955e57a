import { closeSync, existsSync, fstatSync, mkdirSync, openSync, readdirSync, readSync, renameSync, fsyncSync, writeFileSync, writeSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { UsageRecord } from './usage-record.js';
import type { DayRollup } from './usage-rollups.js';

const FILE_PATTERN = /^usage-(\d{4}-\d{2})\.jsonl$/;

export const ledgerFileName = (month: string): string => `usage-${month}.jsonl`;
const snapshotFileName = (month: string): string => `usage-${month}.rollup.json`;

/** The months (YYYY-MM) that have a ledger file in `dir`, oldest first. */
export const ledgerMonths = (dir: string): string[] => {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .map((name) => FILE_PATTERN.exec(name)?.[1])
    .filter((month): month is string => month !== undefined)
    .sort();
};

export const ledgerFilePath = (dir: string, month: string): string => join(dir, ledgerFileName(month));

export const ledgerFileBytes = (dir: string, month: string): number => {
  const fd = openSync(join(dir, ledgerFileName(month)), 'r');
  try {
    return fstatSync(fd).size;
  } finally {
    closeSync(fd);
  }
};

interface MonthSnapshot {
  version: typeof SNAPSHOT_VERSION;
  /** The ledger file's size when the snapshot was made; a different size means it is stale. */
  bytes: number;
  records: number;
  skippedLines: number;
  days: Record<string, DayRollup>;
}

/** 2: days hold each client's own breakdown. Older snapshots are read again from their files. */
const SNAPSHOT_VERSION = 2;

/** A closed month's day rollups, if saved for exactly the file's current size. */
export const readSnapshot = async (dir: string, month: string, bytes: number): Promise<MonthSnapshot | undefined> => {
  try {
    const snapshot = JSON.parse(await readFile(join(dir, snapshotFileName(month)), 'utf8')) as MonthSnapshot;
    return snapshot.version === SNAPSHOT_VERSION && snapshot.bytes === bytes ? snapshot : undefined;
  } catch {
    return undefined;
  }
};

/** Saves a month's rollups next to its file (written aside and renamed, so never half-written). */
export const writeSnapshot = (dir: string, month: string, snapshot: Omit<MonthSnapshot, 'version'>): void => {
  const path = join(dir, snapshotFileName(month));
  writeFileSync(`${path}.tmp`, JSON.stringify({ version: SNAPSHOT_VERSION, ...snapshot }));
  renameSync(`${path}.tmp`, path);
};

/** Appends records to the month's file, one JSON line each, with one write(2) per record on a file
 * opened for appending: once `append` returns, the line is in the operating system's hands and
 * survives the process being killed. `fsync` also waits for the disk (power loss), at a cost. */
export class LedgerAppender {
  private fd: number | undefined;
  private month: string | undefined;

  constructor(
    private readonly dir: string,
    private readonly fsync = false,
  ) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  }

  /** Appends one record; returns the bytes its month's file grew by. */
  append(record: UsageRecord): number {
    const month = record.time.slice(0, 7);
    const { fd, repaired } = this.fileFor(month);
    const line = Buffer.from(`${JSON.stringify(record)}\n`, 'utf8');
    writeWhole(fd, line);
    if (this.fsync) fsyncSync(fd);
    return line.length + repaired;
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
    this.month = undefined;
  }

  private fileFor(month: string): { fd: number; repaired: number } {
    if (this.fd !== undefined && this.month === month) return { fd: this.fd, repaired: 0 };
    this.close();
    const fd = openSync(join(this.dir, ledgerFileName(month)), 'a+', 0o600);
    const repaired = endWithNewline(fd);
    this.fd = fd;
    this.month = month;
    return { fd, repaired };
  }
}

const writeWhole = (fd: number, bytes: Buffer): void => {
  let offset = 0;
  while (offset < bytes.length) offset += writeSync(fd, bytes, offset);
};

/** A crash can leave a torn last line; the next record must start on a line of its own, or it
 * would be glued to the torn one and lost with it. */
const endWithNewline = (fd: number): number => {
  const size = fstatSync(fd).size;
  if (size === 0) return 0;
  const last = Buffer.alloc(1);
  readSync(fd, last, 0, 1, size - 1);
  if (last[0] === 0x0a) return 0;
  writeWhole(fd, Buffer.from('\n'));
  return 1;
};
