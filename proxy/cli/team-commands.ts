import type { Pool } from 'pg';
import { openPostgresPool } from '../store/team/drivers.js';
import { migrate } from '../store/team/postgres-schema.js';
import { createToken, listTokens, revokeToken, type TokenListing } from '../store/team/team-tokens.js';
import { publishTokensChanged } from '../store/team/team-store.js';
import type { CliArguments } from './arguments.js';
import { redisUrlOf, storeUrlOf } from './team-arguments.js';

type Print = (text: string) => void;

const withPool = async <T>(cli: CliArguments, environment: NodeJS.ProcessEnv, work: (pool: Pool) => Promise<T>): Promise<T> => {
  const url = storeUrlOf(cli.teamStore, environment);
  if (!url) throw new Error('this command needs the team store: --store postgres://... or MODAPI_STORE_URL');
  const pool = await openPostgresPool({ connectionString: url, max: 2, connectionTimeoutMillis: 5_000 });
  try {
    return await work(pool);
  } finally {
    await pool.end();
  }
};

/** `migrate`: brings the team store's schema to this version's. */
export const migrateCommand = (cli: CliArguments, environment: NodeJS.ProcessEnv, print: Print = console.log): Promise<void> =>
  withPool(cli, environment, async (pool) => {
    const applied = await migrate(pool);
    print(applied.length > 0 ? `applied migrations:\n${applied.map((name) => `  ${name}`).join('\n')}` : 'the team store is up to date');
  });

const describe = (token: TokenListing): string => {
  const limits = [
    token.team ? `team ${token.team}` : undefined,
    token.allowedModels ? `models ${token.allowedModels.join(',')}` : undefined,
    token.dailyUsd !== null ? `$${token.dailyUsd}/day` : undefined,
    token.monthlyUsd !== null ? `$${token.monthlyUsd}/month` : undefined,
    token.rpm !== null ? `${token.rpm}/min` : undefined,
    token.admin ? 'admin' : undefined,
  ].filter(Boolean);
  return `${token.name}\t${token.revokedAt ? `revoked ${token.revokedAt}` : 'active'}\tcreated ${token.createdAt}\t${limits.join(', ')}`;
};

/** `tokens create|list|revoke` against the team store. A change is broadcast through Redis when
 * one is configured; replicas also notice it by polling within half a second. */
export const tokensCommand = (cli: CliArguments, environment: NodeJS.ProcessEnv, print: Print = console.log): Promise<void> =>
  withPool(cli, environment, async (pool) => {
    const team = cli.teamStore ?? { admin: false };
    const redisUrl = redisUrlOf(cli.teamStore, environment);
    if (cli.subcommand === 'list') {
      const tokens = await listTokens(pool);
      print(tokens.length > 0 ? tokens.map(describe).join('\n') : 'no tokens in the team store');
      return;
    }
    if (!team.name) throw new Error(`tokens ${cli.subcommand ?? ''} needs a token name (--name NAME)`);
    if (cli.subcommand === 'create') {
      const secret = await createToken(pool, { name: team.name, team: team.team, allowedModels: team.allowedModels, dailyUsd: team.dailyUsd, monthlyUsd: team.monthlyUsd, rpm: team.rpm, admin: team.admin });
      if (redisUrl) await publishTokensChanged(redisUrl).catch(() => undefined);
      print(`token "${team.name}" created; its secret (shown once, stored only as a hash): ${secret}`);
      return;
    }
    if (cli.subcommand === 'revoke') {
      if (!(await revokeToken(pool, team.name))) throw new Error(`no active token named "${team.name}"`);
      if (redisUrl) await publishTokensChanged(redisUrl).catch(() => undefined);
      print(`token "${team.name}" revoked`);
      return;
    }
    throw new Error('tokens needs a subcommand: create, list or revoke');
  });
