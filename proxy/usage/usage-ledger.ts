import { EventEmitter } from 'node:events';
import type { Logger } from '../logger.js';
import { LedgerAppender, ledgerFileBytes, ledgerFilePath, ledgerMonths } from './ledger-files.js';
import { readLedgerRecords } from './ledger-lines.js';
import { loadMonth, trySnapshot, type LoadedMonth, type MonthFile } from './ledger-loader.js';
import { FileRatingStore } from './rating-file-store.js';
import { MemoryRatingStore, type RatingStore } from './ratings.js';
import type { UsageReports } from '../store/store-seam.js';
import type { UsageRecord, UsageSink } from './usage-record.js';
import { dayOf, hasRecordFilter, monthOf, recordMatches, UsageRollups, type RecordQuery, type UsageQuery, type UsageSummary } from './usage-rollups.js';

export interface UsageLedgerOptions {
  /** Folder of the monthly JSON-lines files; without one, usage is kept in memory only. */
  dir?: string;
  /** Also wait for the disk on every record (survives power loss, not only a killed process). */
  fsync?: boolean;
  /** How many recent records are kept in memory for the usage panel. */
  recentLimit?: number;
  /** Where ratings of answers go; by default a file beside the ledger's (in memory without one). */
  ratings?: RatingStore;
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

/** How far the rollups are built at start; `done` once every month is in (or the load failed). */
export interface LedgerLoadProgress {
  months: number;
  monthsRead: number;
  recordsParsed: number;
  done: boolean;
  /** Why the load stopped, if it failed (a month's file could not be read). */
  error?: string;
}

const DEFAULT_RECENT = 1_000;

/** The usage ledger: every finished request's record appended to its month's file, and the day
 * rollups that budgets, the usage API and the CLI report read, kept current on every record.
 *
 * The rollups are built at start without holding up the event loop (`loaded`): the newest month
 * first, since budgets read its day and month (`budgetPeriodsCounted`), then the older ones. The
 * files are read up to the sizes they had when the ledger opened; records written meanwhile are
 * counted as they are recorded. Emits `record` with each record once it is written, and
 * `load-progress` as the months come in. */
export class UsageLedger extends EventEmitter implements UsageSink, UsageReports {
  readonly rollups = new UsageRollups();
  readonly dir: string | undefined;
  /** People's ratings of answers, linked to this ledger's records by request id. */
  readonly ratings: RatingStore;
  /** Resolves with the start's figures once every month is in; never rejects (see loadProgress.error). */
  readonly loaded: Promise<LedgerLoadStats>;
  private stats: LedgerLoadStats = { files: 0, recordsParsed: 0, monthsFromSnapshots: 0, skippedLines: 0, milliseconds: 0 };
  private progress: LedgerLoadProgress = { months: 0, monthsRead: 0, recordsParsed: 0, done: true };
  /** Pending while the newest month is being read; rejects if it cannot be. */
  private budgetPeriods: Promise<void> | undefined;
  private readonly appender: LedgerAppender | undefined;
  private readonly recentLimit: number;
  private recentRecords: UsageRecord[] = [];
  /** What each month's file should measure if only this ledger wrote to it since it was opened. */
  private readonly expectedBytes = new Map<string, number>();
  private readonly skippedByMonth = new Map<string, number>();
  /** Months whose saved rollups match their file (nothing appended since). */
  private readonly snapshotted = new Set<string>();
  /** Months of the folder not read yet: their rollups are incomplete, so never saved. */
  private readonly unread = new Set<string>();
  /** A write failed: the rollups hold a record the file lacks, so none is saved at close. */
  private writeFailed = false;
  private closed = false;

  constructor(options: UsageLedgerOptions = {}) {
    super();
    this.dir = options.dir;
    this.recentLimit = options.recentLimit ?? DEFAULT_RECENT;
    this.ratings = options.ratings ?? (this.dir ? new FileRatingStore(this.dir) : new MemoryRatingStore());
    const files = this.dir ? monthFiles(this.dir) : [];
    for (const file of files) {
      this.expectedBytes.set(file.month, file.bytes);
      this.unread.add(file.month);
    }
    this.appender = this.dir ? new LedgerAppender(this.dir, options.fsync) : undefined;
    this.loaded = this.dir && files.length > 0 ? this.load(this.dir, files) : Promise.resolve(this.stats);
  }

  /** A ledger with its rollups built (the CLI report, tests). */
  static async open(options: UsageLedgerOptions = {}): Promise<UsageLedger> {
    const ledger = new UsageLedger(options);
    await ledger.loaded;
    if (ledger.progress.error) throw new Error(`the usage ledger could not be read: ${ledger.progress.error}`);
    return ledger;
  }

  get loadStats(): LedgerLoadStats {
    return this.stats;
  }

  get loadProgress(): LedgerLoadProgress {
    return { ...this.progress };
  }

  /** Whether the rollups are still being built (usage figures are incomplete meanwhile). */
  get loading(): boolean {
    return !this.progress.done;
  }

  /** Pending until the current day's and month's rollups (what budgets read) hold every record of
   * the files; undefined once they do. Rejects if the newest month cannot be read. */
  budgetPeriodsCounted(): Promise<void> | undefined {
    return this.budgetPeriods;
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

  /** A period's sums from the rollups; team, user and tag filters are ignored here (see summarize). */
  summary(query: UsageQuery): UsageSummary {
    return this.rollups.query(query);
  }

  /** A period's sums with any filter: from the rollups when there is none, else from the period's
   * records read line by line (the rollups sum each dimension apart, not their combinations). */
  async summarize(query: UsageQuery): Promise<UsageSummary> {
    if (!hasRecordFilter(query)) return this.rollups.query(query);
    const matching = new UsageRollups();
    for await (const record of this.records(query)) matching.add(record);
    return matching.query({ fromDay: query.fromDay, toDay: query.toDay, groupBy: query.groupBy, client: query.client });
  }

  /** The latest records (of one client, when given), newest first. */
  recent(limit = 50, client?: string): UsageRecord[] {
    const wanted = Math.max(0, Math.min(limit, this.recentLimit));
    const result: UsageRecord[] = [];
    for (let index = this.recentRecords.length - 1; index >= 0 && result.length < wanted; index -= 1) {
      const record = this.recentRecords[index] as UsageRecord;
      if (client === undefined || record.client === client) result.push(record);
    }
    return result;
  }

  /** Every record of a period (of one client, when given), oldest first, read from the files line
   * by line without holding up the event loop (the in-memory recent ones without a folder). */
  async *records(query: RecordQuery): AsyncGenerator<UsageRecord> {
    const wanted = (record: UsageRecord): boolean => {
      const day = dayOf(record.time);
      return !(query.fromDay && day < query.fromDay) && !(query.toDay && day > query.toDay) && (query.client === undefined || record.client === query.client) && recordMatches(record, query);
    };
    if (!this.dir) {
      yield* this.recentRecords.filter(wanted);
      return;
    }
    for (const { month, bytes } of monthFiles(this.dir)) {
      if ((query.fromDay && month < query.fromDay.slice(0, 7)) || (query.toDay && month > query.toDay.slice(0, 7))) continue;
      for await (const record of readLedgerRecords(ledgerFilePath(this.dir, month), { end: bytes })) if (wanted(record)) yield record;
    }
  }

  /** Closes the file and saves the rollups of the months written since start, so the next start
   * reads no line of them. Skipped for a month not read yet (a close during the start), when
   * another process wrote to a file too (its size differs from what this ledger wrote), or when a
   * write failed. */
  close(): void {
    this.closed = true;
    this.appender?.close();
    if (!this.dir || this.writeFailed) return;
    for (const [month, bytes] of this.expectedBytes) {
      if (this.snapshotted.has(month) || this.unread.has(month) || fileBytes(this.dir, month) !== bytes) continue;
      const days = this.rollups.daysOfMonth(month);
      trySnapshot(this.dir, month, { bytes, records: countRecords(days), skippedLines: this.skippedByMonth.get(month) ?? 0, days });
      this.snapshotted.add(month);
    }
  }

  /** What this ledger has counted of a month's file: what it read at start (nothing, for a month
   * whose file was not there) plus what it wrote. Another writer's lines (a second VS Code window on
   * the same folder) make the file longer than that, and close() then saves no snapshot that would
   * leave them out; taking the file's size here had counted them as read. */
  private grew(month: string, bytes: number): void {
    this.snapshotted.delete(month);
    this.expectedBytes.set(month, (this.expectedBytes.get(month) ?? 0) + bytes);
  }

  private remember(record: UsageRecord): void {
    this.recentRecords.push(record);
    // Trimmed in batches, so appending stays O(1) on average.
    if (this.recentRecords.length > this.recentLimit * 2) this.recentRecords = this.recentRecords.slice(-this.recentLimit);
  }

  /** Builds the rollups, the newest month first; each month is merged whole once read. */
  private async load(dir: string, files: MonthFile[]): Promise<LedgerLoadStats> {
    const started = performance.now();
    this.stats = { ...this.stats, files: files.length };
    this.progress = { months: files.length, monthsRead: 0, recordsParsed: 0, done: false };
    const newest = files.at(-1) as MonthFile;
    let markBudgetPeriods: { resolve: () => void; reject: (error: Error) => void } | undefined;
    this.budgetPeriods = new Promise<void>((resolve, reject) => (markBudgetPeriods = { resolve, reject }));
    // Nobody may be waiting; a failure is kept in loadProgress.error too.
    this.budgetPeriods.catch(() => undefined);
    try {
      for (const file of [...files].reverse()) {
        if (this.closed) break;
        const isNewest = file === newest;
        const month = await loadMonth(dir, file, { closed: !isNewest, recentLimit: isNewest ? this.recentLimit : 0, stopped: () => this.closed });
        if (!month || this.closed) break;
        this.adopt(month);
        if (isNewest) {
          this.budgetPeriods = undefined;
          markBudgetPeriods?.resolve();
        }
      }
    } catch (error) {
      this.progress.error = (error as Error).message;
      markBudgetPeriods?.reject(error as Error);
    }
    this.stats.milliseconds = Math.round(performance.now() - started);
    this.progress.done = true;
    this.emit('load-progress', this.loadProgress);
    return this.stats;
  }

  /** Merges a month read at start into the rollups (records written meanwhile are there already). */
  private adopt(month: LoadedMonth): void {
    for (const [day, rollup] of Object.entries(month.days)) this.rollups.mergeDay(day, rollup);
    this.unread.delete(month.month);
    this.skippedByMonth.set(month.month, month.skippedLines);
    // Saved rollups stand for the file only while nothing was appended to it since it was opened.
    if (month.saved && this.expectedBytes.get(month.month) === month.bytes) this.snapshotted.add(month.month);
    if (month.recent.length > 0) this.recentRecords = [...month.recent, ...this.recentRecords].slice(-this.recentLimit * 2);
    this.stats.recordsParsed += month.recordsParsed;
    this.stats.skippedLines += month.skippedLines;
    if (month.fromSnapshot) this.stats.monthsFromSnapshots += 1;
    this.progress.monthsRead += 1;
    this.progress.recordsParsed = this.stats.recordsParsed;
    this.emit('load-progress', this.loadProgress);
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

/** The folder's monthly files, oldest first, with their sizes now. */
const monthFiles = (dir: string): MonthFile[] =>
  ledgerMonths(dir)
    .map((month) => ({ month, bytes: fileBytes(dir, month) }))
    .filter((file) => file.bytes >= 0);

/** One line once the ledger's rollups are built (the gateway serves meanwhile). */
export const logLedgerLoad = async (ledger: UsageLedger, dir: string, log: Logger): Promise<void> => {
  const stats = await ledger.loaded;
  const { error } = ledger.loadProgress;
  if (error) {
    log.error(`usage ledger: ${dir} could not be read (${error}); requests under a budget cap are refused until it can be read at the next start`);
    return;
  }
  log.info(`usage ledger: ${dir} (${stats.recordsParsed} records read, ${stats.monthsFromSnapshots} months from rollups, ${stats.milliseconds} ms${stats.skippedLines ? `, ${stats.skippedLines} damaged lines skipped` : ''})`);
};
