import type { Pool, PoolClient } from 'pg';
import { capRefuses } from '../../governance/budgets.js';
import { toMicros } from '../counter-keys.js';
import type { HoldRefusal, KeyedCap, RateDecision } from '../store-seam.js';
import { inTransaction, RolledBack } from './postgres-transaction.js';
import { burstOf } from './redis-limits.js';

const DEADLOCK = '40P01';

/** A replica is live while it beat within this long (its share of a rate limit counts it). */
export const REPLICA_LIVE_SECONDS = 10;

/** A row of budget_holds under no counter, kept by each replica that holds budget in Redis (where
 * Postgres cannot see it) and renewed with its holds: while another replica has one, the Postgres
 * path waits, and a counter Redis restores waits for that replica's holds. */
const IN_REDIS_KEY = '*held-in-redis*';
const inRedisId = (replica: string): string => `held-in-redis:${replica}`;
// Taken exclusively to mark a replica as holding in Redis, shared by every Postgres reservation,
// so a reservation either commits before the mark or sees it.
const IN_REDIS_LOCK = 7_041_918;

/** A hold to be kept in Postgres: a running request's estimate, or a record's cost not yet written. */
export interface MovedHold {
  requestId: string;
  key: string;
  amountMicros: number;
}

/** Budget holds and rate limits in Postgres: the path without Redis, and the one budgets fall back
 * to when Redis is away (they fail closed: a refusal when Postgres is away too). */
export class PostgresLimits {
  constructor(
    private readonly pool: Pool,
    readonly replica: string,
  ) {}

  /** In one transaction: the counters locked in key order, spent plus unexpired holds checked
   * against every cap, the hold written on each. With `checkMarks` (Redis is configured), it is
   * refused with 'held in redis' while another live replica holds budget in Redis. */
  async reserve(requestId: string, caps: KeyedCap[], amountUsd: number, holdMs: number, checkMarks = false): Promise<HoldRefusal | 'held in redis' | undefined> {
    for (let attempt = 0; ; attempt += 1) {
      try {
        return await this.reserveOnce(requestId, caps, amountUsd, holdMs, checkMarks);
      } catch (error) {
        if ((error as { code?: string }).code !== DEADLOCK || attempt >= 3) throw error;
      }
    }
  }

  private async reserveOnce(requestId: string, caps: KeyedCap[], amountUsd: number, holdMs: number, checkMarks: boolean): Promise<HoldRefusal | 'held in redis' | undefined> {
    const keys = [...new Set(caps.map((cap) => cap.key))].sort();
    const amount = toMicros(amountUsd);
    return inTransaction<HoldRefusal | 'held in redis' | undefined>(this.pool, async (client) => {
      if (checkMarks) {
        await client.query('SELECT pg_advisory_xact_lock_shared($1)', [IN_REDIS_LOCK]);
        if ((await this.heldInRedis(client)).some((replica) => replica !== this.replica)) {
          return new RolledBack('held in redis' as const);
        }
      }
      await client.query('INSERT INTO budget_counters (key) SELECT unnest($1::text[]) ORDER BY 1 ON CONFLICT (key) DO NOTHING', [keys]);
      await client.query('SELECT key FROM budget_counters WHERE key = ANY($1::text[]) ORDER BY key FOR UPDATE', [keys]);
      // A statement of its own, so its snapshot is taken once the locks are held: it sees the holds
      // of the reservation that held them before.
      const counters = await client.query<{ key: string; spent_micro: number; held: number }>(
        `SELECT counter.key, counter.spent_micro,
           (SELECT coalesce(sum(amount_micro), 0)::bigint FROM budget_holds hold WHERE hold.key = counter.key AND hold.expires_at > now()) AS held
         FROM budget_counters counter WHERE counter.key = ANY($1::text[])`,
        [keys],
      );
      const byKey = new Map(counters.rows.map((row) => [row.key, row]));
      for (const { cap, key } of caps) {
        const row = byKey.get(key);
        const spentUsd = (row?.spent_micro ?? 0) / 1_000_000;
        const committedUsd = spentUsd + (row?.held ?? 0) / 1_000_000;
        if (capRefuses(cap, committedUsd, amount / 1_000_000)) {
          return new RolledBack({ cap, spentUsd, committedUsd });
        }
      }
      await client.query(
        `INSERT INTO budget_holds (request_id, key, amount_micro, replica, expires_at)
         SELECT $1, unnest($2::text[]), $3, $4, now() + $5 * interval '1 millisecond' ON CONFLICT (request_id, key) DO NOTHING`,
        [requestId, keys, amount, this.replica, holdMs],
      );
      return undefined;
    });
  }

  async release(requestId: string): Promise<void> {
    await this.pool.query('DELETE FROM budget_holds WHERE request_id = $1', [requestId]);
  }

  /** This replica's holds of running requests pushed further out, and its held-in-Redis mark. */
  async renew(holdMs: number, requestIds: readonly string[]): Promise<void> {
    await this.pool.query("UPDATE budget_holds SET expires_at = now() + $2 * interval '1 millisecond' WHERE replica = $1 AND (request_id = ANY($3::text[]) OR key = $4)", [this.replica, holdMs, requestIds, IN_REDIS_KEY]);
  }

  /** Marks this replica as holding budget in Redis, before its first hold there. */
  async markHeldInRedis(holdMs: number): Promise<void> {
    await inTransaction(this.pool, async (client) => {
      await client.query('SELECT pg_advisory_xact_lock($1)', [IN_REDIS_LOCK]);
      await client.query(
        `INSERT INTO budget_holds (request_id, key, amount_micro, replica, expires_at) VALUES ($1, $2, 0, $3, now() + $4 * interval '1 millisecond')
         ON CONFLICT (request_id, key) DO UPDATE SET expires_at = excluded.expires_at`,
        [inRedisId(this.replica), IN_REDIS_KEY, this.replica, holdMs],
      );
    });
  }

  /** Redis is away: this replica's holds there, and the cost of its records not yet written, become
   * holds here (a record's batch removes its hold), and its held-in-Redis mark goes, in one
   * statement. A record already written is skipped. */
  async moveHoldsHere(holds: readonly MovedHold[], holdMs: number): Promise<void> {
    await this.pool.query(
      `WITH unmarked AS (DELETE FROM budget_holds WHERE request_id = $5 AND key = $6)
       INSERT INTO budget_holds (request_id, key, amount_micro, replica, expires_at)
       SELECT moved.request_id, moved.key, moved.amount, $4, now() + $7 * interval '1 millisecond'
       FROM unnest($1::text[], $2::text[], $3::bigint[]) AS moved (request_id, key, amount)
       WHERE NOT EXISTS (SELECT 1 FROM usage_events event WHERE event.request_id = moved.request_id)
       ON CONFLICT (request_id, key) DO NOTHING`,
      [holds.map((hold) => hold.requestId), holds.map((hold) => hold.key), holds.map((hold) => hold.amountMicros), this.replica, inRedisId(this.replica), IN_REDIS_KEY, holdMs],
    );
  }

  /** The live replicas marked as holding budget in Redis (a dead one's mark expires with its holds). */
  async heldInRedis(client: Pool | PoolClient = this.pool): Promise<string[]> {
    const result = await client.query<{ replica: string }>(
      `SELECT hold.replica FROM budget_holds hold JOIN replicas ON replicas.id = hold.replica
       WHERE hold.key = $1 AND hold.expires_at > now() AND replicas.seen_at > now() - $2 * interval '1 second'`,
      [IN_REDIS_KEY, REPLICA_LIVE_SECONDS],
    );
    return result.rows.map((row) => row.replica);
  }

  /** What Redis restores a missing counter from: the spending recorded, plus the holds still running
   * through Postgres on replicas that did not put them back into Redis themselves (counted as spent:
   * a restored counter errs on the side of refusing). */
  async committedMicros(key: string, restoredBy: readonly string[]): Promise<number> {
    const result = await this.pool.query<{ committed: number }>(
      `SELECT (coalesce((SELECT spent_micro FROM budget_counters WHERE key = $1), 0)
        + coalesce((SELECT sum(amount_micro) FROM budget_holds WHERE key = $1 AND expires_at > now() AND replica <> ALL($2::text[])), 0))::bigint AS committed`,
      [key, restoredBy],
    );
    return result.rows[0]?.committed ?? 0;
  }

  /** GCRA in one statement: the row moves only when the request is admitted. */
  async takeRate(client: string, perMinute: number): Promise<RateDecision> {
    const interval = 60_000 / perMinute;
    const burst = burstOf(perMinute);
    const result = await this.pool.query<{ admitted: boolean; wait_ms: number }>(
      `WITH now AS (SELECT extract(epoch FROM clock_timestamp())::float8 * 1000 AS ms),
       taken AS (
         INSERT INTO rate_limits AS rate (key, tat_ms) SELECT $1, ms + $2::float8 FROM now
         ON CONFLICT (key) DO UPDATE SET tat_ms = greatest(rate.tat_ms, (SELECT ms FROM now)) + $2
         WHERE greatest(rate.tat_ms, (SELECT ms FROM now)) + $2 - $3 * $2 <= (SELECT ms FROM now)
         RETURNING 1)
       SELECT EXISTS (SELECT 1 FROM taken) AS admitted,
         coalesce((SELECT tat_ms + $2 - $3 * $2 FROM rate_limits WHERE key = $1), 0) - (SELECT ms FROM now) AS wait_ms`,
      [client, interval, burst],
    );
    const row = result.rows[0];
    return row?.admitted ? { admitted: true } : { admitted: false, retryAfterSeconds: Math.max(1, Math.ceil((row?.wait_ms ?? 1000) / 1000)) };
  }
}
