import type { Pool, PoolClient } from 'pg';

/** What a transaction's work returns to end it with ROLLBACK instead of COMMIT: its answer stands,
 * nothing it changed does (a refusal decided inside the transaction). */
export class RolledBack<T> {
  constructor(readonly value: T) {}
}

/** Runs `work` in one transaction on one connection: committed when it resolves (rolled back when
 * it resolves with a RolledBack), rolled back when it throws (and the error passed on). `begin` may
 * ask for an isolation level. */
export const inTransaction = async <T>(pool: Pool, work: (client: PoolClient) => Promise<T | RolledBack<T>>, begin = 'BEGIN'): Promise<T> => {
  const client = await pool.connect();
  try {
    await client.query(begin);
    const result = await work(client);
    if (result instanceof RolledBack) {
      await client.query('ROLLBACK');
      return result.value;
    }
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
};
