import type { Pool, PoolClient } from 'pg';
import type { Logger } from '../../logger.js';
import { inTransaction } from './postgres-transaction.js';

/** Something the store keeps for every replica (tokens, policies): its row in store_versions, moved
 * by every change to its table (a trigger, postgres-schema.ts), and how its items are read. */
export interface FeedKind<T> {
  name: string;
  read(client: PoolClient): Promise<T[]>;
}

/** The Redis channel a CLI change is announced on; its message is the kind's name. */
export const STORE_CHANGES_CHANNEL = 'modapi:store-changes';

const versionOf = async (client: PoolClient | Pool, name: string): Promise<number> => {
  const result = await client.query<{ version: number }>('SELECT version FROM store_versions WHERE name = $1', [name]);
  return result.rows[0]?.version ?? 0;
};

/** A kind's items with the version they were read at, in one snapshot. */
export const readVersioned = <T>(pool: Pool, kind: FeedKind<T>): Promise<{ version: number; items: T[] }> =>
  inTransaction(pool, async (client) => ({ version: await versionOf(client, kind.name), items: await kind.read(client) }), 'BEGIN ISOLATION LEVEL REPEATABLE READ');

/** A kind as this replica knows it: read at start, read again when its version moves (checked
 * every pollMs, and at once when Redis announces a change), so a change made through the CLI
 * (a token revoked, a policy set) holds on every replica within a second. */
export class StoreFeed<T> {
  private version = -1;
  private items: T[] = [];
  private readonly listeners: ((items: T[]) => void)[] = [];
  private readonly timer: NodeJS.Timeout;
  private refreshing: Promise<void> | undefined;
  private unreachable = false;

  private constructor(
    private readonly pool: Pool,
    private readonly kind: FeedKind<T>,
    private readonly log: Logger,
    pollMs: number,
  ) {
    this.timer = setInterval(() => void this.poll(), pollMs);
    this.timer.unref();
  }

  static async open<T>(pool: Pool, kind: FeedKind<T>, log: Logger, pollMs: number): Promise<StoreFeed<T>> {
    const feed = new StoreFeed(pool, kind, log, pollMs);
    await feed.refresh();
    return feed;
  }

  watch(listener: (items: T[]) => void): void {
    this.listeners.push(listener);
    listener(this.items);
  }

  refresh(): Promise<void> {
    this.refreshing ??= readVersioned(this.pool, this.kind)
      .then(({ version, items }) => {
        if (version === this.version) return;
        this.version = version;
        this.items = items;
        for (const listener of this.listeners) listener(items);
      })
      .finally(() => (this.refreshing = undefined));
    return this.refreshing;
  }

  close(): void {
    clearInterval(this.timer);
  }

  private async poll(): Promise<void> {
    try {
      if ((await versionOf(this.pool, this.kind.name)) !== this.version) await this.refresh();
      this.unreachable = false;
    } catch (error) {
      // Postgres away: what is known stays in force until it is back.
      if (!this.unreachable) this.log.warn(`${this.kind.name}: the team store could not be read (${(error as Error).message}); the ${this.kind.name} known stay in force`);
      this.unreachable = true;
    }
  }
}
