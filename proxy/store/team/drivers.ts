import type { Pool, PoolConfig } from 'pg';
import type { Redis, RedisOptions } from 'ioredis';

/** The team backends' client libraries load here, and only when a store is configured: the
 * extension never reaches this module, and its bundle leaves both out (esbuild.js). */
export const openPostgresPool = async (config: PoolConfig): Promise<Pool> => {
  const pg = (await import('pg')).default;
  // bigint columns (micro-dollars, counts) as numbers: every value kept here stays below 2^53.
  pg.types.setTypeParser(20, (text: string) => Number(text));
  return new pg.Pool(config);
};

export const openRedis = async (url: string, options: RedisOptions): Promise<Redis> => {
  const { Redis: RedisClient } = await import('ioredis');
  return new RedisClient(url, options);
};
