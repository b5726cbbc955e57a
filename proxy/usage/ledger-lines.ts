import { open } from 'node:fs/promises';
import type { UsageRecord } from './usage-record.js';

/** Work done between two turns of the event loop at most, so a year of records read in the editor's
 * extension host (or the gateway) never holds up anything else for long. */
const SLICE_MS = 5;
const CHUNK_BYTES = 256 * 1024;
/** How many records pass between two looks at the clock. */
const RECORDS_PER_LOOK = 32;
const NEWLINE = 0x0a;

/** Gives the event loop a turn once a slice of work has run since the last one. */
export class Pacer {
  private since = performance.now();

  async breathe(): Promise<void> {
    if (performance.now() - this.since < SLICE_MS) return;
    await new Promise<void>((resolve) => setImmediate(resolve));
    this.since = performance.now();
  }
}

const looksLikeRecord = (value: unknown): value is UsageRecord => {
  const record = value as Partial<UsageRecord> | null;
  return typeof record === 'object' && record !== null && typeof record.time === 'string' && typeof record.requestId === 'string' && typeof record.promptTokens === 'number';
};

/** One ledger line as a record, or undefined when it is not a whole record (a torn last line after
 * a crash, or damage): skipped, never fatal. */
const parseLine = (line: string): UsageRecord | undefined => {
  try {
    const value: unknown = JSON.parse(line);
    return looksLikeRecord(value) ? value : undefined;
  } catch {
    return undefined;
  }
};

export interface LineRange {
  /** Where to start; from the middle of a file, the first (partial) line is dropped. */
  start?: number;
  /** Where to stop: the file's size when the caller looked, so lines appended since are left out. */
  end: number;
}

/** The records of a ledger file between two byte offsets, oldest first, read a chunk at a time and
 * handing the event loop a turn every few milliseconds of work (the caller's work on each record
 * included). `onSkipped` counts the lines that are not records. */
export async function* readLedgerRecords(path: string, range: LineRange, onSkipped: () => void = () => undefined): AsyncGenerator<UsageRecord> {
  const pacer = new Pacer();
  const file = await open(path, 'r');
  try {
    const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
    let position = range.start ?? 0;
    let carry = Buffer.alloc(0);
    let dropFirst = position > 0;
    while (position < range.end) {
      const { bytesRead } = await file.read(buffer, 0, Math.min(CHUNK_BYTES, range.end - position), position);
      if (bytesRead === 0) break;
      position += bytesRead;
      const chunk = carry.length > 0 ? Buffer.concat([carry, buffer.subarray(0, bytesRead)]) : buffer.subarray(0, bytesRead);
      // The last line of the range counts even without its newline (a record written by another tool).
      const whole = position >= range.end ? chunk.length : chunk.lastIndexOf(NEWLINE) + 1;
      carry = Buffer.from(chunk.subarray(whole));
      let text = chunk.toString('utf8', 0, whole);
      if (dropFirst && whole > 0) {
        const newline = text.indexOf('\n');
        text = newline === -1 ? '' : text.slice(newline + 1);
        dropFirst = false;
      }
      let count = 0;
      for (let lineStart = 0; lineStart < text.length; ) {
        let lineEnd = text.indexOf('\n', lineStart);
        if (lineEnd === -1) lineEnd = text.length;
        if (lineEnd > lineStart) {
          const record = parseLine(text.slice(lineStart, lineEnd));
          if (record) yield record;
          else onSkipped();
          if (++count % RECORDS_PER_LOOK === 0) await pacer.breathe();
        }
        lineStart = lineEnd + 1;
      }
      await pacer.breathe();
    }
  } finally {
    await file.close();
  }
}
