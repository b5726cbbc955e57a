import { closeSync, existsSync, fstatSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, renameSync, fsyncSync, writeFileSync, writeSync } from 'node:fs';
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

const looksLikeRecord = (value: unknown): value is UsageRecord => {
  const record = value as Partial<UsageRecord> | null;
  return typeof record === 'object' && record !== null && typeof record.time === 'string' && typeof record.requestId === 'string' && typeof record.promptTokens === 'number';
};

export interface ParsedLedger {
  records: UsageRecord[];
  /** Lines that did not parse (a torn last line after a crash, or damage); skipped, never fatal. */
  skippedLines: number;
}

/** The records of a ledger file's text. Any line that is not a whole record is skipped. */
export const parseLedgerText = (text: string, onRecord?: (record: UsageRecord) => void): ParsedLedger => {
  const records: UsageRecord[] = [];
  let skippedLines = 0;
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = text.length;
    if (end > start) {
      try {
        const value: unknown = JSON.parse(text.slice(start, end));
        if (!looksLikeRecord(value)) skippedLines += 1;
        else if (onRecord) onRecord(value);
        else records.push(value);
      } catch {
        skippedLines += 1;
      }
    }
    start = end + 1;
  }
  return { records, skippedLines };
};

export const readLedgerFile = (dir: string, month: string, onRecord?: (record: UsageRecord) => void): ParsedLedger & { bytes: number } => {
  const buffer = readFileSync(join(dir, ledgerFileName(month)));
  return { ...parseLedgerText(buffer.toString('utf8'), onRecord), bytes: buffer.length };
};

export const ledgerFileBytes = (dir: string, month: string): number => {
  const fd = openSync(join(dir, ledgerFileName(month)), 'r');
  try {
    return fstatSync(fd).size;
  } finally {
    closeSync(fd);
  }
};

interface MonthSnapshot {
  version: 1;
  /** The ledger file's size when the snapshot was made; a different size means it is stale. */
  bytes: number;
  records: number;
  skippedLines: number;
  days: Record<string, DayRollup>;
}

/** A closed month's day rollups, if saved for exactly the file's current size. */
export const readSnapshot = (dir: string, month: string, bytes: number): MonthSnapshot | undefined => {
  try {
    const snapshot = JSON.parse(readFileSync(join(dir, snapshotFileName(month)), 'utf8')) as MonthSnapshot;
    return snapshot.version === 1 && snapshot.bytes === bytes ? snapshot : undefined;
  } catch {
    return undefined;
  }
};

/** Saves a month's rollups next to its file (written aside and renamed, so never half-written). */
export const writeSnapshot = (dir: string, month: string, snapshot: Omit<MonthSnapshot, 'version'>): void => {
  const path = join(dir, snapshotFileName(month));
  writeFileSync(`${path}.tmp`, JSON.stringify({ version: 1, ...snapshot }));
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

/** The last records of a month's file, read from its last `maxBytes` only (for the recent list
 * when the month's rollups come from a snapshot). */
export const readLedgerTail = (dir: string, month: string, maxBytes: number): UsageRecord[] => {
  const fd = openSync(join(dir, ledgerFileName(month)), 'r');
  try {
    const size = fstatSync(fd).size;
    const start = Math.max(0, size - maxBytes);
    const buffer = Buffer.alloc(size - start);
    readSync(fd, buffer, 0, buffer.length, start);
    let text = buffer.toString('utf8');
    // Reading from the middle of the file: the first line is a piece of one.
    if (start > 0) text = text.slice(text.indexOf('\n') + 1);
    return parseLedgerText(text).records;
  } finally {
    closeSync(fd);
  }
};

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
