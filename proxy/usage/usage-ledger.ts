import { EventEmitter } from 'node:events';
import { LedgerAppender, ledgerFileBytes, ledgerMonths, readLedgerFile, readLedgerTail, readSnapshot, writeSnapshot } from './ledger-files.js';
import type { UsageRecord, UsageSink } from './usage-record.js';
import { dayOf, monthOf, UsageRollups, type UsageQuery, type UsageSummary } from './usage-rollups.js';

export interface UsageLedgerOptions {
  /** Folder of the monthly JSON-lines files; without one, usage is kept in memory only. */
  dir?: string;
  /** Also wait for the disk on every record (survives power loss, not only a killed process). */
  fsync?: boolean;
  /** How many recent records are kept in memory for the usage panel. */
  recentLimit?: number;
}

export interface LedgerLoadStats {
  files: number;
  /** Records read line by line at start. */
  recordsParsed: number;
  /** Closed months taken from their saved rollups instead of being read. */
  monthsFromSnapshots: number;
  skippedLines: number;
  milliseconds: number;
}

const DEFAULT_RECENT = 1_000;

/** The usage ledger: every finished request's record appended to its month's file, and the day
 * rollups that budgets, the usage API and the CLI report read, kept current on every record.
 * Emits `record` with each record once it is written. */
export class UsageLedger extends EventEmitter implements UsageSink {
  readonly rollups = new UsageRollups();
  readonly loadStats: LedgerLoadStats;
  readonly dir: string | undefined;
  private readonly appender: LedgerAppender | undefined;
  private readonly recentLimit: number;
  private recentRecords: UsageRecord[] = [];
  /** What each month's file should measure if only this ledger wrote to it since it was read. */
  private readonly expectedBytes = new Map<string, number>();
  private readonly skippedByMonth = new Map<string, number>();
  /** Months whose saved rollups match their file (nothing appended since). */
  private readonly snapshotted = new Set<string>();
  /** A write failed: the rollups hold a record the file lacks, so none is saved at close. */
  private writeFailed = false;

  constructor(options: UsageLedgerOptions = {}) {
    super();
    this.dir = options.dir;
    this.recentLimit = options.recentLimit ?? DEFAULT_RECENT;
    this.loadStats = this.dir ? this.load(this.dir) : { files: 0, recordsParsed: 0, monthsFromSnapshots: 0, skippedLines: 0, milliseconds: 0 };
    this.appender = this.dir ? new LedgerAppender(this.dir, options.fsync) : undefined;
  }

  /** Counts the record, then writes it; a failed write is thrown to the caller (who logs it) after
   * the record has still been counted, so budgets never lose spending to a full disk. */
  record(record: UsageRecord): void {
    this.rollups.add(record);
    this.remember(record);
    try {
      if (this.appender) this.grew(monthOf(record.time), this.appender.append(record));
    } catch (error) {
      this.writeFailed = true;
      throw error;
    } finally {
      this.emit('record', record);
    }
  }

  summary(query: UsageQuery): UsageSummary {
    return this.rollups.query(query);
  }

  /** The latest records, newest first. */
  recent(limit = 50): UsageRecord[] {
    return this.recentRecords.slice(-Math.max(0, Math.min(limit, this.recentLimit))).reverse();
  }

  /** Every record of a period, oldest first, read from the files (the in-memory recent ones without a folder). */
  *records(query: Pick<UsageQuery, 'fromDay' | 'toDay'>): Generator<UsageRecord> {
    const inRange = (record: UsageRecord) => {
      const day = dayOf(record.time);
      return !(query.fromDay && day < query.fromDay) && !(query.toDay && day > query.toDay);
    };
    if (!this.dir) {
      yield* this.recentRecords.filter(inRange);
      return;
    }
    for (const month of ledgerMonths(this.dir)) {
      if ((query.fromDay && month < query.fromDay.slice(0, 7)) || (query.toDay && month > query.toDay.slice(0, 7))) continue;
      yield* readLedgerFile(this.dir, month).records.filter(inRange);
    }
  }

  /** Closes the file and saves the rollups of the months written since start, so the next start
   * reads no line of them. Skipped when another process wrote to a file too (its size differs
   * from what this ledger wrote), or when a write failed. */
  close(): void {
    this.appender?.close();
    if (!this.dir || this.writeFailed) return;
    for (const [month, bytes] of this.expectedBytes) {
      if (this.snapshotted.has(month) || fileBytes(this.dir, month) !== bytes) continue;
      const days = this.rollups.daysOfMonth(month);
      trySnapshot(this.dir, month, { bytes, records: countRecords(days), skippedLines: this.skippedByMonth.get(month) ?? 0, days });
      this.snapshotted.add(month);
    }
  }

  private grew(month: string, bytes: number): void {
    this.snapshotted.delete(month);
    this.expectedBytes.set(month, (this.expectedBytes.get(month) ?? (this.dir ? fileBytes(this.dir, month) - bytes : 0)) + bytes);
  }

  private remember(record: UsageRecord): void {
    this.recentRecords.push(record);
    // Trimmed in batches, so appending stays O(1) on average.
    if (this.recentRecords.length > this.recentLimit * 2) this.recentRecords = this.recentRecords.slice(-this.recentLimit);
  }

  /** Builds the rollups once at start: each month from its saved rollups when they still match
   * the file's size, else read line by line (and saved for the next start when the month is
   * closed). The recent list comes from the newest file's tail. */
  private load(dir: string): LedgerLoadStats {
    const started = performance.now();
    const months = ledgerMonths(dir);
    const stats: LedgerLoadStats = { files: months.length, recordsParsed: 0, monthsFromSnapshots: 0, skippedLines: 0, milliseconds: 0 };
    const newest = months.at(-1);
    for (const month of months) {
      const bytes = ledgerFileBytes(dir, month);
      const snapshot = readSnapshot(dir, month, bytes);
      if (snapshot) {
        for (const [day, rollup] of Object.entries(snapshot.days)) this.rollups.mergeDay(day, rollup);
        stats.monthsFromSnapshots += 1;
        this.noteMonth(month, snapshot.bytes, snapshot.skippedLines, true);
        if (month === newest) for (const record of readLedgerTail(dir, month, this.recentLimit * 2_048)) this.remember(record);
        continue;
      }
      const parsed = readLedgerFile(dir, month, (record) => {
        this.rollups.add(record);
        if (month === newest) this.remember(record);
      });
      const days = this.rollups.daysOfMonth(month);
      const records = countRecords(days);
      stats.recordsParsed += records;
      const closed = month !== newest;
      if (closed) trySnapshot(dir, month, { bytes: parsed.bytes, records, skippedLines: parsed.skippedLines, days });
      this.noteMonth(month, parsed.bytes, parsed.skippedLines, closed);
    }
    for (const skipped of this.skippedByMonth.values()) stats.skippedLines += skipped;
    stats.milliseconds = Math.round(performance.now() - started);
    return stats;
  }

  private noteMonth(month: string, bytes: number, skippedLines: number, snapshotted: boolean): void {
    this.expectedBytes.set(month, bytes);
    this.skippedByMonth.set(month, skippedLines);
    if (snapshotted) this.snapshotted.add(month);
  }
}

const countRecords = (days: Record<string, { total: { requests: number } }>): number => Object.values(days).reduce((sum, day) => sum + day.total.requests, 0);

const fileBytes = (dir: string, month: string): number => {
  try {
    return ledgerFileBytes(dir, month);
  } catch {
    return -1;
  }
};

const trySnapshot = (dir: string, month: string, snapshot: Parameters<typeof writeSnapshot>[2]): void => {
  try {
    writeSnapshot(dir, month, snapshot);
  } catch {
    // Only a faster next start is lost.
  }
};
