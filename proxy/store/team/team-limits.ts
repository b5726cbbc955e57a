import { GatewayError } from '../../errors.js';
import { RateLimiter } from '../../governance/rate-limiter.js';
import type { Logger } from '../../logger.js';
import type { UsageRecord } from '../../usage/usage-record.js';
import { recordCounterKeys, spendMicros, toMicros } from '../counter-keys.js';
import type { HoldRefusal, KeyedCap, RateDecision, SharedAdmission, SharedDecision, SharedLimits } from '../store-seam.js';
import { BudgetRestore } from './budget-restore.js';
import type { MovedHold, PostgresLimits } from './postgres-limits.js';
import type { LiveHold, RedisLimits } from './redis-limits.js';
import type { UsageWriter } from './usage-writer.js';

export interface TeamLimitsOptions {
  /** How long a hold lasts unless its replica renews it (a dead replica's holds come back after it). */
  holdMs: number;
}

interface Hold {
  keys: string[];
  amountMicros: number;
  via: 'redis' | 'postgres';
  /** A restore put it back into Redis while its admission was under way. */
  restored?: boolean;
}

/** How long an admission waits for a counter being restored, or for other replicas to move their
 * holds from Redis to Postgres, before it is refused with 503 and a retry. */
const WAIT_MS = 10_000;
const POLL_MS = 20;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

const unavailable = (message: string, cause?: unknown): GatewayError => new GatewayError(503, `${message} The request was not sent; retry shortly.`, { type: 'api_error', code: 'budget_store_unavailable', retryAfter: '1', cause });

/** Shared limits over Redis when it answers, else over Postgres. Budgets fail closed: without
 * Redis they take the Postgres path, and without either a request under a cap is refused (503).
 * Rates fail open at this replica's share of the limit (the limit divided by the live replicas).
 * No hold is ever lost between the two: a replica marks itself in Postgres before it holds in
 * Redis, and when Redis is away it moves its holds to Postgres and drops the mark; the Postgres
 * path waits while another replica is marked. A counter Redis lost is restored with every
 * running hold (budget-restore.ts). */
export class TeamLimits implements SharedLimits {
  private readonly localRates = new RateLimiter();
  /** This replica's running holds, registered before their admission is decided. */
  private readonly holds = new Map<string, Hold>();
  private readonly restore: BudgetRestore | undefined;
  /** Counters Redis may hold short of what was spent (a settle failed): restored before next use. */
  private readonly staleKeys = new Set<string>();
  /** Budgets went through Postgres while Redis was away: every Redis counter is stale now. */
  private redisMissedSpending = false;
  /** The mark saying this replica holds budget in Redis: set once per time Redis is reachable. */
  private marked: Promise<void> | undefined;
  private moving: Promise<void> | undefined;
  private replicas = 1;

  constructor(
    private readonly postgres: PostgresLimits,
    private readonly redis: { limits: RedisLimits; ready: () => boolean } | undefined,
    private readonly writer: UsageWriter,
    private readonly options: TeamLimitsOptions,
    private readonly log: Logger,
  ) {
    this.restore = redis && new BudgetRestore(redis.limits, postgres, writer, { holdMs: options.holdMs, liveHolds: (key) => this.liveHolds(key) }, log);
  }

  setReplicas(count: number): void {
    this.replicas = Math.max(1, count);
  }

  async admit(request: SharedAdmission): Promise<SharedDecision> {
    const deadline = Date.now() + WAIT_MS;
    for (;;) {
      if (this.redis?.ready()) {
        try {
          return await this.admitInRedis(this.redis.limits, request, deadline);
        } catch (error) {
          if (error instanceof GatewayError) throw error;
          this.log.warn(`limits: Redis did not answer (${(error as Error).message}); budgets go through Postgres`);
        }
      }
      const decided = await this.admitInPostgres(request);
      if (decided !== 'held in redis') return decided;
      // Another replica holds budget in Redis: wait until it moved its holds here, or Redis is back.
      if (Date.now() > deadline) throw unavailable('Budgets cannot be checked: other replicas hold budget in Redis, which this one cannot reach.');
      await sleep(POLL_MS);
    }
  }

  private async admitInPostgres(request: SharedAdmission): Promise<SharedDecision | 'held in redis'> {
    const { requestId, caps, amountUsd, rate } = request;
    if (caps.length > 0) {
      const answer = await this.holdInPostgres(requestId, caps, amountUsd);
      if (answer) return answer === 'held in redis' ? answer : { refusal: answer };
    }
    if (!rate) return undefined;
    const taken = await this.rateWithoutRedis(rate.client, rate.perMinute);
    if (taken.admitted) return undefined;
    this.release(requestId);
    return { retryAfterSeconds: taken.retryAfterSeconds };
  }

  /** Another replica restores a counter Redis lost: this one's part (a pub/sub message). */
  restoreAsked(message: string): void {
    this.restore?.answerMessage(message);
  }

  private async holdInPostgres(requestId: string, caps: KeyedCap[], amountUsd: number): Promise<HoldRefusal | 'held in redis' | undefined> {
    this.holds.set(requestId, { keys: caps.map((cap) => cap.key), amountMicros: toMicros(amountUsd), via: 'postgres' });
    try {
      // This replica's own holds in Redis go first, so its reservations here count them.
      if (this.redis) await this.redisLost();
      const answer = await this.postgres.reserve(requestId, caps, amountUsd, this.options.holdMs, this.redis !== undefined);
      if (answer) this.dropPending(requestId);
      if (this.redis && answer !== 'held in redis') this.redisMissedSpending = true;
      return answer;
    } catch (error) {
      this.dropPending(requestId);
      throw unavailable('Budgets cannot be checked: the team store is unreachable.', error);
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

  /** An admission was refused or failed: its hold goes, from Redis too if a restore put it there. */
  private dropPending(requestId: string): void {
    const hold = this.holds.get(requestId);
    this.holds.delete(requestId);
    if (hold?.restored && this.redis?.ready()) this.redis.limits.settle(requestId, hold.keys, 0).catch(() => undefined);
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

  /** Pushes out the holds of this replica's running requests (and its mark); called well within
   * holdMs. With Redis away, its holds there move to Postgres if that was not done yet. */
  async renew(): Promise<void> {
    const holds = [...this.holds];
    if (this.redis?.ready() && holds.length > 0) {
      const limits = this.redis.limits;
      await Promise.all(holds.map(([requestId, hold]) => limits.renew(requestId, hold.keys, this.options.holdMs)));
    }
    if (this.redis && !this.redis.ready()) await this.redisLost();
    const inPostgres = holds.filter(([, hold]) => hold.via === 'postgres').map(([requestId]) => requestId);
    if (this.marked || inPostgres.length > 0) await this.postgres.renew(this.options.holdMs, inPostgres);
  }

  /** Redis is reachable again: counters that went on in Postgres meanwhile are dropped from Redis
   * (each is restored on its next use). */
  async redisReconnected(): Promise<void> {
    if (!this.redis || !this.redisMissedSpending) return;
    this.redisMissedSpending = false;
    await this.redis.limits.forget();
    this.staleKeys.clear();
  }

  /** Redis is away: this replica's holds there, and the cost of its records not yet written to
   * Postgres, become holds in Postgres, and its mark goes, so the Postgres path counts them. */
  redisLost(): Promise<void> {
    const marked = this.marked;
    if (!marked) return this.moving ?? Promise.resolve();
    // Unmarked at once: an admission in Redis from now on marks again, after this move.
    this.marked = undefined;
    const moving: Promise<void> = (async () => {
      await marked.catch(() => undefined);
      const inRedis = [...this.holds].filter(([, hold]) => hold.via === 'redis');
      const moved: MovedHold[] = inRedis.flatMap(([requestId, hold]) => hold.keys.map((key) => ({ requestId, key, amountMicros: hold.amountMicros })));
      for (const record of this.writer.unwritten) {
        const amountMicros = spendMicros(record);
        if (amountMicros > 0) moved.push(...recordCounterKeys(record).map((key) => ({ requestId: record.requestId, key, amountMicros })));
      }
      await this.postgres.moveHoldsHere(moved, this.options.holdMs);
      for (const [, hold] of inRedis) hold.via = 'postgres';
    })()
      .catch((error: unknown) => {
        // Still marked: other replicas keep waiting, and the next heartbeat tries again.
        this.marked ??= marked;
        throw error;
      })
      .finally(() => {
        if (this.moving === moving) this.moving = undefined;
      });
    this.moving = moving;
    return moving;
  }

  /** Marks this replica in Postgres as holding in Redis, once per time Redis is reachable. */
  private markHeldInRedis(): Promise<void> {
    this.marked ??= (async () => {
      await this.moving?.catch(() => undefined);
      await this.postgres.markHeldInRedis(this.options.holdMs);
    })().catch((error: unknown) => {
      this.marked = undefined;
      throw error;
    });
    return this.marked;
  }

  private liveHolds(key: string): LiveHold[] {
    const live: LiveHold[] = [];
    for (const [requestId, hold] of this.holds) {
      if (!hold.keys.includes(key)) continue;
      hold.restored = true;
      live.push({ requestId, amountMicros: hold.amountMicros });
    }
    return live;
  }

  private async admitInRedis(limits: RedisLimits, request: SharedAdmission, deadline: number): Promise<SharedDecision> {
    const { requestId, caps } = request;
    if (caps.length > 0) {
      await this.markHeldInRedis();
      // Registered before Redis decides: a restore meanwhile puts it back.
      this.holds.set(requestId, { keys: caps.map((cap) => cap.key), amountMicros: toMicros(request.amountUsd), via: 'redis' });
    }
    try {
      if (this.staleKeys.size > 0) {
        const stale = [...this.staleKeys];
        this.staleKeys.clear();
        await limits.forget(stale);
      }
      for (;;) {
        const answer = await limits.admit(request, this.options.holdMs);
        if ('admitted' in answer) return undefined;
        if ('missing' in answer) await this.restoreWithin(answer.missing, deadline);
        else if (!('restoring' in answer)) {
          this.dropPending(requestId);
          return answer;
        } else if (Date.now() > deadline) throw unavailable('Budgets are being restored after Redis lost them.');
        else await sleep(POLL_MS);
      }
    } catch (error) {
      this.dropPending(requestId);
      throw error;
    }
  }

  /** Restores a counter Redis lacks, waiting for it at most until the deadline (it goes on after). */
  private async restoreWithin(key: string, deadline: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), Math.max(0, deadline - Date.now()))));
    const restoring = (this.restore as BudgetRestore).restore(key);
    restoring.catch(() => undefined);
    try {
      if ((await Promise.race([restoring, timeout])) === 'late') throw unavailable('Budgets are being restored after Redis lost them.');
    } finally {
      clearTimeout(timer);
    }
  }
}
