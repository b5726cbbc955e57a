import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MemoryRatingStore, type Rating, type RatingChange, type RatingKind, type RatingQuery, type RatingStore } from './ratings.js';

export const RATINGS_FILE = 'ratings.jsonl';

const KINDS: readonly RatingKind[] = ['up', 'down', 'win', 'loss', 'regenerate'];

const isString = (value: unknown): value is string => typeof value === 'string' && value.length > 0;

/** One line as a change, or undefined (a torn last line after a crash, damage): skipped. */
const parseChange = (line: string): RatingChange | undefined => {
  try {
    const value = JSON.parse(line) as Record<string, unknown>;
    if (!isString(value.requestId) || !isString(value.slot)) return undefined;
    if (value.op === 'remove') return { op: 'remove', requestId: value.requestId, slot: value.slot };
    if (value.op !== 'put' || !isString(value.time) || !KINDS.includes(value.kind as RatingKind) || !isString(value.model) || typeof value.provider !== 'string' || typeof value.client !== 'string') return undefined;
    return { op: 'put', time: value.time, requestId: value.requestId, slot: value.slot, kind: value.kind as RatingKind, model: value.model, provider: value.provider, client: value.client };
  } catch {
    return undefined;
  }
};

/** Ratings as an append-only JSON-lines file of changes (put, remove) beside the usage ledger,
 * read whole at start (a rating is a short line, and people rate far less often than they ask). */
export class FileRatingStore implements RatingStore {
  private readonly index = new MemoryRatingStore();
  private readonly path: string;
  /** The file ends in a torn line (a crash mid-write): the next change starts a line of its own. */
  private torn = false;

  constructor(dir: string) {
    this.path = join(dir, RATINGS_FILE);
    if (!existsSync(this.path)) return;
    const text = readFileSync(this.path, 'utf8');
    this.torn = text.length > 0 && !text.endsWith('\n');
    for (const line of text.split('\n')) {
      const change = line.trim() ? parseChange(line) : undefined;
      if (change) this.index.apply(change);
    }
  }

  put(rating: Rating): Promise<void> {
    return this.write({ op: 'put', ...rating });
  }

  remove(requestId: string, slot: string): Promise<void> {
    return this.write({ op: 'remove', requestId, slot, time: new Date().toISOString() });
  }

  list(query?: RatingQuery): Promise<Rating[]> {
    return this.index.list(query);
  }

  private write(change: RatingChange): Promise<void> {
    mkdirSync(join(this.path, '..'), { recursive: true, mode: 0o700 });
    appendFileSync(this.path, `${this.torn ? '\n' : ''}${JSON.stringify(change)}\n`, { mode: 0o600 });
    this.torn = false;
    this.index.apply(change);
    return Promise.resolve();
  }
}
