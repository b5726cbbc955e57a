import { EventEmitter } from 'node:events';
import { LedgerAppender, ledgerFileBytes, ledgerMonths, readLedgerFile, readSnapshot, writeSnapshot } from './ledger-files.js';
import type { UsageRecord, UsageSink } from './usage-record.js';
import { dayOf, UsageRollups, type UsageQuery, type UsageSummary } from './usage-rollups.js';

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
      this.appender?.append(record);
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

  close(): void {
    this.appender?.close();
  }

  private remember(record: UsageRecord): void {
    this.recentRecords.push(record);
    // Trimmed in batches, so appending stays O(1) on average.
    if (this.recentRecords.length > this.recentLimit * 2) this.recentRecords = this.recentRecords.slice(-this.recentLimit);
  }

  /** Builds the rollups once at start: closed months from their snapshots when still valid (and a
   * snapshot saved after reading one), the newest month read line by line. */
  private load(dir: string): LedgerLoadStats {
    const started = performance.now();
    const months = ledgerMonths(dir);
    const stats: LedgerLoadStats = { files: months.length, recordsParsed: 0, monthsFromSnapshots: 0, skippedLines: 0, milliseconds: 0 };
    const newest = months.at(-1);
    for (const month of months) {
      const closed = month !== newest;
      const snapshot = closed ? readSnapshot(dir, month, ledgerFileBytes(dir, month)) : undefined;
      if (snapshot) {
        for (const [day, rollup] of Object.entries(snapshot.days)) this.rollups.mergeDay(day, rollup);
        stats.monthsFromSnapshots += 1;
        stats.skippedLines += snapshot.skippedLines;
        continue;
      }
      const parsed = readLedgerFile(dir, month, (record) => {
        this.rollups.add(record);
        if (!closed) this.remember(record);
      });
      stats.skippedLines += parsed.skippedLines;
      if (closed) {
        const days = this.rollups.daysOfMonth(month);
        const records = Object.values(days).reduce((sum, day) => sum + day.total.requests, 0);
        stats.recordsParsed += records;
        trySnapshot(dir, month, { bytes: parsed.bytes, records, skippedLines: parsed.skippedLines, days });
      }
    }
    if (newest) stats.recordsParsed += this.rollups.query({ fromDay: `${newest}-01`, toDay: `${newest}-31` }).totals.requests;
    stats.milliseconds = Math.round(performance.now() - started);
    return stats;
  }
}

const trySnapshot = (dir: string, month: string, snapshot: Parameters<typeof writeSnapshot>[2]): void => {
  try {
    writeSnapshot(dir, month, snapshot);
  } catch {
    // Only a faster next start is lost.
  }
};
