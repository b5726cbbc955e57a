import type { Pool } from 'pg';
import type { Logger } from '../../logger.js';
import type { UsageRecord } from '../../usage/usage-record.js';
import { INSERT_USAGE_BATCH, usageRow } from './postgres-usage-sql.js';
import { UsageSpool, type SpooledFile } from './usage-spool.js';

export interface UsageWriterOptions {
  /** How long records gather before a batch goes to Postgres. */
  batchMs: number;
  maxBatch?: number;
}

const RETRY_MS = 1_000;

/** Usage records to Postgres in batches, each record spooled to disk first (usage-spool.ts). A
 * batch that fails stays queued, and is retried until Postgres takes it. */
export class UsageWriter {
  private queue: UsageRecord[] = [];
  private orphans: SpooledFile[];
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> | undefined;
  private lastFailure: Error | undefined;

  constructor(
    private readonly pool: Pool,
    private readonly spool: UsageSpool,
    private readonly options: UsageWriterOptions,
    private readonly log: Logger,
  ) {
    this.orphans = spool.orphans();
    for (const orphan of this.orphans) this.queue.push(...orphan.records);
    if (this.queue.length > 0) {
      log.info(`usage spool: replaying ${this.queue.length} record(s) left by a stopped replica`);
      this.schedule(0);
    }
  }

  record(record: UsageRecord): void {
    this.spool.append(record);
    this.queue.push(record);
    this.schedule(this.options.batchMs);
  }

  /** Records not yet in Postgres. */
  get pending(): number {
    return this.queue.length;
  }

  /** The records not yet in Postgres, oldest first. */
  get unwritten(): readonly UsageRecord[] {
    return this.queue;
  }

  /** Whether the last batch failed (Postgres is away). */
  get failing(): boolean {
    return this.lastFailure !== undefined;
  }

  /** Writes what is queued now; resolves once it is in Postgres (or the attempt failed). */
  async flush(): Promise<void> {
    if (this.writing) await this.writing;
    if (this.queue.length > 0) await this.write();
  }

  close(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.spool.close();
  }

  private schedule(delayMs: number): void {
    if (this.timer || this.writing) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.write();
    }, delayMs);
    this.timer.unref();
  }

  private write(): Promise<void> {
    this.writing ??= this.writeBatches().finally(() => {
      this.writing = undefined;
      if (this.queue.length > 0) this.schedule(this.lastFailure ? RETRY_MS : this.options.batchMs);
    });
    return this.writing;
  }

  private async writeBatches(): Promise<void> {
    const maxBatch = this.options.maxBatch ?? 500;
    while (this.queue.length > 0) {
      const batch = this.queue.slice(0, maxBatch);
      try {
        await this.pool.query(INSERT_USAGE_BATCH, [JSON.stringify(batch.map(usageRow))]);
      } catch (error) {
        if (!this.lastFailure) this.log.warn(`usage: Postgres did not take ${this.queue.length} record(s) (${(error as Error).message}); they stay spooled on disk and are retried`);
        this.lastFailure = error as Error;
        return;
      }
      if (this.lastFailure) this.log.info('usage: Postgres is back; spooled records written');
      this.lastFailure = undefined;
      this.queue = this.queue.slice(batch.length);
    }
    // Everything appended so far is in Postgres (appends are synchronous, so none came meanwhile).
    this.spool.empty();
    for (const orphan of this.orphans) UsageSpool.remove(orphan.path);
    this.orphans = [];
  }
}
