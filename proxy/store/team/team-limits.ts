import { GatewayError } from '../../errors.js';
import { RateLimiter } from '../../governance/rate-limiter.js';
import type { Logger } from '../../logger.js';
import type { UsageRecord } from '../../usage/usage-record.js';
import { recordCounterKeys, spendMicros } from '../counter-keys.js';
import type { HoldRefusal, KeyedCap, RateDecision, SharedAdmission, SharedDecision, SharedLimits } from '../store-seam.js';
import type { PostgresLimits } from './postgres-limits.js';
import type { RedisLimits } from './redis-limits.js';
import type { UsageWriter } from './usage-writer.js';

export interface TeamLimitsOptions {
  /** How long a hold lasts unless its replica renews it (a dead replica's holds come back after it). */
  holdMs: number;
  /** The usage writer's batch delay: a counter rebuilt from Postgres waits for other replicas' batches. */
  batchMs: number;
}

interface Hold {
  keys: string[];
  via: 'redis' | 'postgres';
}

const REBUILD_ATTEMPTS = 3;

/** Shared limits over Redis when it answers, else over Postgres. Budgets fail closed: without
 * Redis they take the Postgres path, and without either a request under a cap is refused (503).
 * Rates fail open at this replica's share of the limit (the limit divided by the live replicas). */
export class TeamLimits implements SharedLimits {
  private readonly localRates = new RateLimiter();
  private readonly holds = new Map<string, Hold>();
  private readonly rebuilding = new Map<string, Promise<void>>();
  /** Counters Redis may hold short of what was spent (a settle failed): rebuilt before next use. */
  private readonly staleKeys = new Set<string>();
  /** Budgets went through Postgres while Redis was away: every Redis counter is stale now. */
  private redisMissedSpending = false;
  private replicas = 1;

  constructor(
    private readonly postgres: PostgresLimits,
    private readonly redis: { limits: RedisLimits; ready: () => boolean } | undefined,
    private readonly writer: UsageWriter,
    private readonly options: TeamLimitsOptions,
    private readonly log: Logger,
  ) {}

  setReplicas(count: number): void {
    this.replicas = Math.max(1, count);
  }

  async admit(request: SharedAdmission): Promise<SharedDecision> {
    if (this.redis?.ready()) {
      try {
        const decided = await this.admitInRedis(this.redis.limits, request);
        if (decided !== 'rebuild failed') return decided;
      } catch (error) {
        this.log.warn(`limits: Redis did not answer (${(error as Error).message}); budgets go through Postgres`);
      }
    }
    const { requestId, caps, amountUsd, rate } = request;
    if (caps.length > 0) {
      const refusal = await this.holdInPostgres(requestId, caps, amountUsd);
      if (refusal) return { refusal };
    }
    if (!rate) return undefined;
    const taken = await this.rateWithoutRedis(rate.client, rate.perMinute);
    if (taken.admitted) return undefined;
    this.release(requestId);
    return { retryAfterSeconds: taken.retryAfterSeconds };
  }

  private async holdInPostgres(requestId: string, caps: KeyedCap[], amountUsd: number): Promise<HoldRefusal | undefined> {
    try {
      const refusal = await this.postgres.reserve(requestId, caps, amountUsd, this.options.holdMs);
      if (!refusal) this.holds.set(requestId, { keys: caps.map((cap) => cap.key), via: 'postgres' });
      if (this.redis) this.redisMissedSpending = true;
      return refusal;
    } catch (error) {
      throw new GatewayError(503, 'Budgets cannot be checked: the team store is unreachable. The request was not sent; retry shortly.', { type: 'api_error', code: 'budget_store_unavailable', cause: error });
    }
  }

  /** Without Redis the rate is kept in Postgres; with Redis away, each replica admits its share. */
  private async rateWithoutRedis(client: string, perMinute: number): Promise<RateDecision> {
    if (!this.redis) {
      try {
        return await this.postgres.takeRate(client, perMinute);
      } catch (error) {
        this.log.warn(`rate limits: Postgres did not answer (${(error as Error).message}); this replica admits its share`);
      }
    }
    return this.localRates.take(client, Math.max(1, Math.floor(perMinute / this.replicas)));
  }

  private release(requestId: string): void {
    const hold = this.holds.get(requestId);
    this.holds.delete(requestId);
    if (!hold) return;
    const done = hold.via === 'redis' && this.redis ? this.redis.limits.settle(requestId, hold.keys, 0) : this.postgres.release(requestId);
    done.catch((error: unknown) => this.log.warn(`budgets: a hold could not be released (${(error as Error).message}); it expires by itself`));
  }

  /** A record settles its hold: Redis adds what it cost at once (Postgres does in the record's batch). */
  settle(record: UsageRecord): void {
    const hold = this.holds.get(record.requestId);
    this.holds.delete(record.requestId);
    if (!this.redis) return;
    const keys = [...new Set([...(hold?.keys ?? []), ...recordCounterKeys(record)])];
    const markStale = () => {
      for (const key of keys) this.staleKeys.add(key);
    };
    if (!this.redis.ready()) {
      markStale();
      return;
    }
    this.redis.limits.settle(record.requestId, keys, spendMicros(record)).catch(markStale);
  }

  /** Pushes out the holds of this replica's running requests; called well within holdMs. */
  async renew(): Promise<void> {
    const redisHolds = [...this.holds].filter(([, hold]) => hold.via === 'redis');
    if (this.redis?.ready() && redisHolds.length > 0) {
      const limits = this.redis.limits;
      await Promise.all(redisHolds.map(([requestId, hold]) => limits.renew(requestId, hold.keys, this.options.holdMs)));
    }
    if ([...this.holds.values()].some((hold) => hold.via === 'postgres')) await this.postgres.renew(this.options.holdMs);
  }

  /** Redis is reachable again: counters that went on in Postgres meanwhile are dropped from Redis. */
  async redisReconnected(): Promise<void> {
    if (!this.redis || !this.redisMissedSpending) return;
    this.redisMissedSpending = false;
    await this.redis.limits.forget();
    this.staleKeys.clear();
  }

  private async admitInRedis(limits: RedisLimits, request: SharedAdmission): Promise<SharedDecision | 'rebuild failed'> {
    if (this.staleKeys.size > 0) {
      const stale = [...this.staleKeys];
      this.staleKeys.clear();
      await limits.forget(stale);
    }
    for (let attempt = 0; attempt < REBUILD_ATTEMPTS; attempt += 1) {
      const answer = await limits.admit(request, this.options.holdMs);
      if ('admitted' in answer) {
        if (request.caps.length > 0) this.holds.set(request.requestId, { keys: request.caps.map((cap) => cap.key), via: 'redis' });
        return undefined;
      }
      if (!('missing' in answer)) return answer;
      await this.rebuild(limits, answer.missing);
    }
    return 'rebuild failed';
  }

  /** A counter Redis lacks (a new period, an eviction, a FLUSHALL) is rebuilt from Postgres, never
   * assumed zero: this replica's queued records go first, and the batches other replicas had
   * under way get time to land. */
  private rebuild(limits: RedisLimits, key: string): Promise<void> {
    let running = this.rebuilding.get(key);
    if (!running) {
      running = (async () => {
        await this.writer.flush();
        if (this.writer.failing) throw new Error('Postgres is away: a budget counter cannot be rebuilt');
        await new Promise((resolve) => setTimeout(resolve, 2 * this.options.batchMs + 10));
        await limits.rebuild(key, await this.postgres.committedMicros(key));
      })().finally(() => this.rebuilding.delete(key));
      this.rebuilding.set(key, running);
    }
    return running;
  }
}
