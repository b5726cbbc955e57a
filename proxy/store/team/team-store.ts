import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Redis } from 'ioredis';
import type { Logger } from '../../logger.js';
import type { StoreState, TeamStore } from '../store-seam.js';
import { openPostgresPool, openRedis } from './drivers.js';
import { PostgresLimits, REPLICA_LIVE_SECONDS } from './postgres-limits.js';
import { recentUsage, usageRecords } from './postgres-usage-records.js';
import { summarizeUsage } from './postgres-usage-summary.js';
import { requireLatestSchema } from './postgres-schema.js';
import { RedisLimits, RESTORE_CHANNEL } from './redis-limits.js';
import { TeamLimits } from './team-limits.js';
import { policiesFeed } from './team-policies.js';
import { TOKENS_FEED } from './team-tokens.js';
import { STORE_CHANGES_CHANNEL, StoreFeed } from './store-feed.js';
import { UsageSpool } from './usage-spool.js';
import { UsageWriter } from './usage-writer.js';

export interface TeamStoreOptions {
  /** `postgres://...` */
  storeUrl: string;
  /** `redis://...`, optional. */
  redisUrl?: string;
  /** Where answered requests' records wait for Postgres (one file per replica). */
  spoolDir: string;
  log: Logger;
  holdMs?: number;
  batchMs?: number;
  /** How often the store's tokens and policies are checked for a change Redis did not announce. */
  feedPollMs?: number;
}

const HEARTBEAT_MS = 2_000;

/** Connects to Postgres (which must be migrated) and, when given, Redis; see store-seam.ts. */
export const openTeamStore = async (options: TeamStoreOptions): Promise<TeamStore> => {
  const { log } = options;
  const holdMs = options.holdMs ?? 60_000;
  const batchMs = options.batchMs ?? 20;
  const pool = await openPostgresPool({ connectionString: options.storeUrl, max: 10, connectionTimeoutMillis: 3_000, idleTimeoutMillis: 30_000 });
  // An idle connection dropped by a Postgres restart must not end the process.
  pool.on('error', (error) => log.warn(`team store: a Postgres connection closed (${error.message})`));
  try {
    await requireLatestSchema(pool);
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw error;
  }
  const replica = `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
  await pool.query('INSERT INTO replicas (id) VALUES ($1) ON CONFLICT (id) DO NOTHING', [replica]);
  const writer = new UsageWriter(pool, new UsageSpool(options.spoolDir), { batchMs }, log);
  const pollMs = options.feedPollMs ?? 500;
  const tokens = await StoreFeed.open(pool, TOKENS_FEED, log, pollMs);
  const policies = await StoreFeed.open(pool, policiesFeed(log), log, pollMs);
  const feeds = [tokens, policies];
  const redis = options.redisUrl ? await connectRedis(options.redisUrl, log) : undefined;
  const limits = new TeamLimits(new PostgresLimits(pool, replica), redis && { limits: new RedisLimits(redis.client), ready: () => redis.client.status === 'ready' }, writer, { holdMs }, log);
  redis?.subscriber.on('message', (channel: string, message: string) => {
    if (channel === RESTORE_CHANNEL) limits.restoreAsked(message);
    else for (const feed of feeds) void feed.refresh().catch(() => undefined);
  });
  redis?.client.on('ready', () => void limits.redisReconnected().catch(() => undefined));
  // Redis gone: this replica's holds there move to Postgres at once, so the others need not wait.
  redis?.client.on('close', () => void limits.redisLost().catch(() => undefined));
  let postgresUp = true;
  const beat = async () => {
    try {
      await pool.query('UPDATE replicas SET seen_at = now() WHERE id = $1', [replica]);
      const live = await pool.query<{ count: number }>(`SELECT count(*)::integer AS count FROM replicas WHERE seen_at > now() - interval '${REPLICA_LIVE_SECONDS} seconds'`);
      limits.setReplicas(live.rows[0]?.count ?? 1);
      postgresUp = true;
    } catch {
      postgresUp = false;
    }
    await limits.renew().catch(() => undefined);
  };
  const heartbeat = setInterval(() => void beat(), Math.min(HEARTBEAT_MS, holdMs / 3));
  heartbeat.unref();
  void beat();
  return {
    usage: {
      record: (record) => {
        writer.record(record);
        // The spool has the record; Redis's counters can wait until the answer's last bytes are out.
        setImmediate(() => limits.settle(record));
      },
    },
    reports: {
      summarize: (query) => summarizeUsage(pool, query),
      records: (query) => usageRecords(pool, query),
      recent: (limit, client) => recentUsage(pool, limit, client),
      loading: false,
    },
    limits,
    watchTokens: (listener) => tokens.watch(listener),
    watchPolicies: (listener) => policies.watch(listener),
    state: (): StoreState => ({
      kind: 'postgres',
      ready: true,
      postgres: postgresUp && !writer.failing ? 'up' : 'down',
      redis: redis ? (redis.client.status === 'ready' ? 'up' : 'down') : 'off',
      spooled: writer.pending,
    }),
    close: async () => {
      clearInterval(heartbeat);
      for (const feed of feeds) feed.close();
      await Promise.race([writer.flush(), new Promise((resolve) => setTimeout(resolve, 2_000).unref())]);
      writer.close();
      await pool.query('DELETE FROM replicas WHERE id = $1', [replica]).catch(() => undefined);
      redis?.subscriber.disconnect();
      redis?.client.disconnect();
      await pool.end().catch(() => undefined);
    },
  };
};

/** Redis for limits, and a second connection listening for changes made through the CLI. Not
 * reaching it at start is not fatal: budgets go through Postgres until it answers. */
const connectRedis = async (url: string, log: Logger): Promise<{ client: Redis; subscriber: Redis }> => {
  const options = { enableOfflineQueue: false, maxRetriesPerRequest: 1, commandTimeout: 1_000, connectTimeout: 2_000, retryStrategy: (times: number) => Math.min(times * 100, 1_000) };
  const client = await openRedis(url, options);
  const subscriber = await openRedis(url, { ...options, enableOfflineQueue: true, commandTimeout: undefined });
  let down = false;
  const reportDown = (error: Error) => {
    if (!down) log.warn(`team store: Redis unreachable (${error.message}); budgets go through Postgres until it is back`);
    down = true;
  };
  client.on('error', reportDown);
  subscriber.on('error', () => undefined);
  client.on('ready', () => {
    if (down) log.info('team store: Redis is back');
    down = false;
  });
  // Subscribed again by the client after any reconnection.
  void subscriber.subscribe(STORE_CHANGES_CHANNEL, RESTORE_CHANNEL).catch(() => undefined);
  await new Promise<void>((resolve) => {
    if (client.status === 'ready') resolve();
    client.once('ready', () => resolve());
    setTimeout(resolve, 2_000).unref();
  });
  return { client, subscriber };
};

/** Tells every replica at once that a kind (tokens, policies) changed; they would see it by polling too. */
export const publishStoreChanged = async (redisUrl: string, kind: string): Promise<void> => {
  const redis = await openRedis(redisUrl, { maxRetriesPerRequest: 1, connectTimeout: 2_000 });
  try {
    await redis.publish(STORE_CHANGES_CHANNEL, kind);
  } finally {
    redis.disconnect();
  }
};
