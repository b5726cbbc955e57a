import { randomUUID } from 'node:crypto';
import { GatewayError } from '../../errors.js';
import type { Logger } from '../../logger.js';
import { REPLICA_LIVE_SECONDS, type PostgresLimits } from './postgres-limits.js';
import type { LiveHold, RedisLimits } from './redis-limits.js';
import type { UsageWriter } from './usage-writer.js';

export interface BudgetRestoreOptions {
  holdMs: number;
  /** This replica's running holds on a counter (the ones whose admission is under way included). */
  liveHolds: (key: string) => LiveHold[];
}

const POLL_MS = 10;
const ASK_AGAIN_MS = 250;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A budget counter Redis lost (a FLUSHALL, a restart, an eviction, a counter dropped as stale)
 * comes back without losing any running request's hold. The counter is created marked restoring,
 * so no admission is decided against it; every replica marked as holding budget in Redis is asked
 * (pub/sub) to write its queued records to Postgres and put its running holds back (idempotent);
 * once all have answered, the spending Postgres recorded is added and admissions go on. A replica
 * that died stops being waited for when its mark expires, as its holds would have. */
export class BudgetRestore {
  private readonly running = new Map<string, Promise<void>>();

  constructor(
    private readonly redis: RedisLimits,
    private readonly postgres: PostgresLimits,
    private readonly writer: UsageWriter,
    private readonly options: BudgetRestoreOptions,
    private readonly log: Logger,
  ) {}

  /** Restores the counter if it is missing (once at a time per counter on this replica); resolves
   * when it is open again or another replica is restoring it. */
  restore(key: string): Promise<void> {
    let running = this.running.get(key);
    if (!running) {
      running = this.restoreOnce(key).finally(() => this.running.delete(key));
      this.running.set(key, running);
    }
    return running;
  }

  /** Another replica (or this one) asks for this replica's part of a restore. */
  async answer(key: string, restoreId: string): Promise<void> {
    // Records settled before the counter was lost must be in Postgres before it is read.
    await this.writer.flush();
    if (this.writer.failing) throw new Error('Postgres is away: queued records cannot be written for a budget restore');
    await this.redis.restoreHolds(key, restoreId, this.postgres.replica, this.options.liveHolds(key), this.options.holdMs);
  }

  /** The pub/sub message asking for a restore's answers: `{"key", "restoreId"}`. */
  answerMessage(message: string): void {
    const { key, restoreId } = JSON.parse(message) as { key: string; restoreId: string };
    this.answer(key, restoreId).catch((error: unknown) => this.log.warn(`budgets: could not answer the restore of a counter (${(error as Error).message})`));
  }

  private async restoreOnce(key: string): Promise<void> {
    const restoreId = randomUUID();
    // Long enough for a dead replica's mark to expire (its heartbeat stops), after which the
    // counter counts as missing again and the next admission restores it afresh.
    const restoreMs = Math.min(this.options.holdMs, REPLICA_LIVE_SECONDS * 1_000) + 5_000;
    if (!(await this.redis.beginRestore(key, restoreId, restoreMs))) return;
    // Read after the counter was marked: a replica marked later holds nothing on it in Redis.
    let expected = await this.postgres.heldInRedis();
    await this.answer(key, restoreId);
    await this.redis.askForHolds(key, restoreId);
    const deadline = Date.now() + restoreMs;
    let askedAt = Date.now();
    for (;;) {
      const answered = await this.redis.restoreAnswers(key, restoreId);
      if (!answered) return;
      if (expected.every((replica) => answered.includes(replica))) {
        // Their holds (Postgres ones included) are back in Redis; everyone else's count as spent.
        await this.redis.finishRestore(key, restoreId, await this.postgres.committedMicros(key, answered));
        return;
      }
      if (Date.now() > deadline) {
        const missing = expected.filter((replica) => !answered.includes(replica));
        throw new GatewayError(503, 'Budgets are being restored after Redis lost them, and not every replica answered. The request was not sent; retry shortly.', { type: 'api_error', code: 'budget_restoring', retryAfter: '1', cause: new Error(`no answer from ${missing.join(', ')}`) });
      }
      await sleep(POLL_MS);
      if (Date.now() - askedAt > ASK_AGAIN_MS) {
        // A replica whose Redis connection dropped meanwhile answers when it is back; one that
        // moved its holds to Postgres, or died, is no longer marked.
        expected = await this.postgres.heldInRedis();
        await this.redis.askForHolds(key, restoreId);
        askedAt = Date.now();
      }
    }
  }
}
