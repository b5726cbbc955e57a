import type { Pool } from 'pg';
import { capRefuses } from '../../governance/budgets.js';
import { toMicros } from '../counter-keys.js';
import type { HoldRefusal, KeyedCap, RateDecision } from '../store-seam.js';
import { burstOf } from './redis-limits.js';

const DEADLOCK = '40P01';

/** Budget holds and rate limits in Postgres: the path without Redis, and the one budgets fall back
 * to when Redis is away (they fail closed: a refusal when Postgres is away too). */
export class PostgresLimits {
  constructor(
    private readonly pool: Pool,
    private readonly replica: string,
  ) {}

  /** In one transaction: the counters locked in key order, spent plus unexpired holds checked
   * against every cap, the hold written on each. */
  async reserve(requestId: string, caps: KeyedCap[], amountUsd: number, holdMs: number): Promise<HoldRefusal | undefined> {
    for (let attempt = 0; ; attempt += 1) {
      try {
        return await this.reserveOnce(requestId, caps, amountUsd, holdMs);
      } catch (error) {
        if ((error as { code?: string }).code !== DEADLOCK || attempt >= 3) throw error;
      }
    }
  }

  private async reserveOnce(requestId: string, caps: KeyedCap[], amountUsd: number, holdMs: number): Promise<HoldRefusal | undefined> {
    const keys = [...new Set(caps.map((cap) => cap.key))].sort();
    const amount = toMicros(amountUsd);
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
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
          await client.query('ROLLBACK');
          return { cap, spentUsd, committedUsd };
        }
      }
      await client.query(
        `INSERT INTO budget_holds (request_id, key, amount_micro, replica, expires_at)
         SELECT $1, unnest($2::text[]), $3, $4, now() + $5 * interval '1 millisecond' ON CONFLICT (request_id, key) DO NOTHING`,
        [requestId, keys, amount, this.replica, holdMs],
      );
      await client.query('COMMIT');
      return undefined;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  async release(requestId: string): Promise<void> {
    await this.pool.query('DELETE FROM budget_holds WHERE request_id = $1', [requestId]);
  }

  /** This replica's holds pushed further out (its requests are still running). */
  async renew(holdMs: number): Promise<void> {
    await this.pool.query("UPDATE budget_holds SET expires_at = now() + $2 * interval '1 millisecond' WHERE replica = $1", [this.replica, holdMs]);
  }

  /** What Redis rebuilds a missing counter from: the spending recorded, plus holds still running
   * through Postgres (counted as spent: a rebuilt counter errs on the side of refusing). */
  async committedMicros(key: string): Promise<number> {
    const result = await this.pool.query<{ committed: number }>(
      `SELECT (coalesce((SELECT spent_micro FROM budget_counters WHERE key = $1), 0)
        + coalesce((SELECT sum(amount_micro) FROM budget_holds WHERE key = $1 AND expires_at > now()), 0))::bigint AS committed`,
      [key],
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
