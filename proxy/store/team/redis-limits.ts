import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { HoldRefusal, KeyedCap, SharedAdmission } from '../store-seam.js';
import { toMicros } from '../counter-keys.js';
import { ADMIT, BUDGET_RENEW, BUDGET_SETTLE, RESTORE_ANSWERS, RESTORE_BEGIN, RESTORE_FINISH, RESTORE_HOLDS } from './redis-scripts.js';

const PREFIX = 'modapi:';
const counterName = (key: string): string => `${PREFIX}budget:${key}`;
const holdsName = (key: string): string => `${PREFIX}holds:${key}`;
const pairsOf = (keys: readonly string[]): string[] => keys.flatMap((key) => [counterName(key), holdsName(key)]);
const answersName = (restoreId: string): string => `${PREFIX}restore:${restoreId}`;

/** Where a replica restoring a counter asks every replica for its running holds on it. */
export const RESTORE_CHANNEL = `${PREFIX}budget-restore`;

/** Redis keeps a day's counter three days and a month's forty, then forgets it (Postgres keeps it). */
const counterLifetimeMs = (key: string): number => (key.includes('|day|') ? 3 : 40) * 86_400_000;

/** A burst of a sixth of a minute's requests: at most rpm + rpm / 6 in any minute. */
export const burstOf = (perMinute: number): number => Math.max(1, Math.ceil(perMinute / 6));

export type RedisAnswer = { admitted: true } | { refusal: HoldRefusal } | { retryAfterSeconds: number } | { missing: string } | { restoring: string };

/** A running request's hold, as a restore puts it back. */
export interface LiveHold {
  requestId: string;
  amountMicros: number;
}

/** Rate limits and budget counters in Redis, through the Lua scripts of redis-scripts.ts. */
export class RedisLimits {
  private readonly shas = new Map<string, string>();

  constructor(private readonly redis: Redis) {}

  /** The caps, then the rate, then the hold and the rate taken: one script, one round trip. */
  async admit(request: SharedAdmission, holdMs: number): Promise<RedisAnswer> {
    const { requestId, caps, amountUsd, rate } = request;
    const rateKey = `${PREFIX}rate:${rate?.client ?? ''}`;
    const args = [requestId, toMicros(amountUsd), holdMs, rate ? 60_000 / rate.perMinute : 0, rate ? burstOf(rate.perMinute) : 0, ...caps.map(({ cap }) => Math.round(cap.capUsd * 1_000_000))];
    const answer = (await this.run(ADMIT, [rateKey, ...pairsOf(caps.map((cap) => cap.key))], args)) as number[];
    if (answer[0] === 1) return { admitted: true };
    if (answer[0] === 2) return { retryAfterSeconds: Math.max(1, Math.ceil((answer[1] ?? 1000) / 1000)) };
    const refused = caps[(answer[1] ?? 1) - 1] as KeyedCap;
    if (answer[0] === -1) return { missing: refused.key };
    if (answer[0] === -2) return { restoring: refused.key };
    const spentUsd = (answer[2] ?? 0) / 1_000_000;
    return { refusal: { cap: refused.cap, spentUsd, committedUsd: spentUsd + (answer[3] ?? 0) / 1_000_000 } };
  }

  async settle(requestId: string, keys: readonly string[], spentMicros: number): Promise<void> {
    await this.run(BUDGET_SETTLE, pairsOf(keys), [requestId, spentMicros]);
  }

  /** Creates a missing counter marked restoring; false if it exists or another restore is in time. */
  async beginRestore(key: string, restoreId: string, restoreMs: number): Promise<boolean> {
    return (await this.run(RESTORE_BEGIN, [counterName(key), holdsName(key)], [restoreId, restoreMs, counterLifetimeMs(key)])) === 1;
  }

  /** Asks every replica (this one included) for its running holds on a restoring counter. */
  async askForHolds(key: string, restoreId: string): Promise<void> {
    await this.redis.publish(RESTORE_CHANNEL, JSON.stringify({ key, restoreId }));
  }

  /** This replica's running holds on the counter put back, and its answer noted. */
  async restoreHolds(key: string, restoreId: string, replica: string, holds: readonly LiveHold[], holdMs: number): Promise<void> {
    const pairs = holds.flatMap((hold) => [hold.requestId, hold.amountMicros]);
    await this.run(RESTORE_HOLDS, [counterName(key), holdsName(key), answersName(restoreId)], [restoreId, replica, holdMs, ...pairs]);
  }

  /** The replicas that have answered a restore; null if it is no longer under way. */
  async restoreAnswers(key: string, restoreId: string): Promise<string[] | null> {
    return (await this.run(RESTORE_ANSWERS, [counterName(key), answersName(restoreId)], [restoreId])) as string[] | null;
  }

  /** Adds the spending recorded in Postgres and opens the counter; false if the restore was superseded. */
  async finishRestore(key: string, restoreId: string, spentMicros: number): Promise<boolean> {
    return (await this.run(RESTORE_FINISH, [counterName(key)], [restoreId, spentMicros])) === 1;
  }

  async renew(requestId: string, keys: readonly string[], holdMs: number): Promise<void> {
    await this.run(BUDGET_RENEW, keys.map(holdsName), [requestId, holdMs]);
  }

  /** Forgets counters that may have missed spending (Redis was away, or a settle failed): each is
   * restored on its next use. Without keys, every budget counter. */
  async forget(keys?: readonly string[]): Promise<void> {
    if (keys) {
      if (keys.length > 0) await this.redis.del(...pairsOf(keys));
      return;
    }
    let cursor = '0';
    do {
      const [next, found] = await this.redis.scan(cursor, 'MATCH', `${PREFIX}budget:*`, 'COUNT', 500);
      cursor = next;
      if (found.length > 0) await this.redis.del(...found);
    } while (cursor !== '0');
  }

  /** EVALSHA, loading the script once when Redis does not know it (a restart, a SCRIPT FLUSH). */
  private async run(script: string, keys: string[], args: (string | number)[]): Promise<unknown> {
    let sha = this.shas.get(script);
    if (!sha) {
      sha = createHash('sha1').update(script).digest('hex');
      this.shas.set(script, sha);
    }
    try {
      return await this.redis.evalsha(sha, keys.length, ...keys, ...args);
    } catch (error) {
      if (!String((error as Error).message).includes('NOSCRIPT')) throw error;
      return this.redis.eval(script, keys.length, ...keys, ...args);
    }
  }
}
