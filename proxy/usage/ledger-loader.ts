import { ledgerFilePath, readSnapshot, writeSnapshot } from './ledger-files.js';
import { readLedgerRecords } from './ledger-lines.js';
import type { UsageRecord } from './usage-record.js';
import { UsageRollups, type DayRollup } from './usage-rollups.js';

/** A month's file as it was when the ledger opened: lines appended later are counted as they are
 * recorded, never read again. */
export interface MonthFile {
  month: string;
  bytes: number;
}

export interface LoadedMonth extends MonthFile {
  days: Record<string, DayRollup>;
  fromSnapshot: boolean;
  /** Saved rollups match the file as it was opened (read from them, or saved once read). */
  saved: boolean;
  /** Records read line by line (none when the month came from its saved rollups). */
  recordsParsed: number;
  skippedLines: number;
  /** The month's newest records, oldest first (only when asked for). */
  recent: UsageRecord[];
}

export interface MonthLoadOptions {
  /** A closed month's rollups are saved once read, so the next start reads no line of it. */
  closed: boolean;
  /** How many of the newest records to keep (0: none). */
  recentLimit: number;
  /** The ledger was closed meanwhile: stop reading. */
  stopped: () => boolean;
}

/** Bytes per record kept in mind when reading a file's tail for its newest records. */
const TAIL_BYTES_PER_RECORD = 2_048;

/** One month's day rollups: from its saved rollups when they still match the file's size, else read
 * line by line (handing the event loop a turn every few milliseconds). Undefined when stopped. */
export const loadMonth = async (dir: string, file: MonthFile, options: MonthLoadOptions): Promise<LoadedMonth | undefined> => {
  const snapshot = await readSnapshot(dir, file.month, file.bytes);
  if (snapshot) {
    const start = Math.max(0, file.bytes - options.recentLimit * TAIL_BYTES_PER_RECORD);
    const recent = options.recentLimit > 0 ? await newestRecords(dir, file, start, options) : [];
    return { ...file, days: snapshot.days, fromSnapshot: true, saved: true, recordsParsed: 0, skippedLines: snapshot.skippedLines, recent };
  }
  const rollups = new UsageRollups();
  const recent: UsageRecord[] = [];
  let recordsParsed = 0;
  let skippedLines = 0;
  for await (const record of readLedgerRecords(ledgerFilePath(dir, file.month), { end: file.bytes }, () => (skippedLines += 1))) {
    if (options.stopped()) return undefined;
    rollups.add(record);
    recordsParsed += 1;
    if (options.recentLimit > 0) keepNewest(recent, record, options.recentLimit);
  }
  const days = rollups.daysOfMonth(file.month);
  const saved = options.closed && trySnapshot(dir, file.month, { bytes: file.bytes, records: recordsParsed, skippedLines, days });
  return { ...file, days, fromSnapshot: false, saved, recordsParsed, skippedLines, recent: recent.slice(-options.recentLimit) };
};

const newestRecords = async (dir: string, file: MonthFile, start: number, options: MonthLoadOptions): Promise<UsageRecord[]> => {
  const recent: UsageRecord[] = [];
  for await (const record of readLedgerRecords(ledgerFilePath(dir, file.month), { start, end: file.bytes })) {
    if (options.stopped()) break;
    keepNewest(recent, record, options.recentLimit);
  }
  return recent.slice(-options.recentLimit);
};

/** Appends, trimming in batches so keeping the newest stays O(1) a record on average. */
const keepNewest = (recent: UsageRecord[], record: UsageRecord, limit: number): void => {
  recent.push(record);
  if (recent.length > limit * 2) recent.splice(0, recent.length - limit);
};

/** Whether the month's rollups were saved; a failure loses only a faster next start. */
export const trySnapshot = (dir: string, month: string, snapshot: Parameters<typeof writeSnapshot>[2]): boolean => {
  try {
    writeSnapshot(dir, month, snapshot);
    return true;
  } catch {
    return false;
  }
};
