import type { Pool } from 'pg';
import { openPostgresPool } from '../store/team/drivers.js';
import { migrate, requireLatestSchema } from '../store/team/postgres-schema.js';
import { describeCondition } from '../governance/tag-policies.js';
import { listPolicies, removePolicy, setPolicy, type PolicyListing } from '../store/team/team-policies.js';
import { createToken, listTokens, revokeToken, type TokenListing } from '../store/team/team-tokens.js';
import { publishStoreChanged } from '../store/team/team-store.js';
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

/** The same, on a store at this version's schema: the replicas learn of a change to tokens or
 * policies through the triggers it brings. */
const withMigratedPool = <T>(cli: CliArguments, environment: NodeJS.ProcessEnv, work: (pool: Pool) => Promise<T>): Promise<T> =>
  withPool(cli, environment, async (pool) => {
    await requireLatestSchema(pool);
    return work(pool);
  });

/** Tells the replicas through Redis, when one is configured, that a kind changed; without it (or
 * when it is away) they notice by polling within half a second. */
const announce = async (cli: CliArguments, environment: NodeJS.ProcessEnv, kind: string): Promise<void> => {
  const redisUrl = redisUrlOf(cli.teamStore, environment);
  if (redisUrl) await publishStoreChanged(redisUrl, kind).catch(() => undefined);
};

/** The name a subcommand acts on (`--name NAME`, or the word after the subcommand). */
const nameOf = (cli: CliArguments, what: string): string => {
  const name = cli.teamStore?.name;
  if (!name) throw new Error(`${cli.command} ${cli.subcommand ?? ''} needs a ${what} name (--name NAME)`);
  return name;
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

/** `tokens create|list|revoke` against the team store. */
export const tokensCommand = (cli: CliArguments, environment: NodeJS.ProcessEnv, print: Print = console.log): Promise<void> =>
  withMigratedPool(cli, environment, async (pool) => {
    const team = cli.teamStore ?? { admin: false };
    if (cli.subcommand === 'list') {
      const tokens = await listTokens(pool);
      print(tokens.length > 0 ? tokens.map(describe).join('\n') : 'no tokens in the team store');
      return;
    }
    const name = nameOf(cli, 'token');
    if (cli.subcommand === 'create') {
      const secret = await createToken(pool, { name, team: team.team, allowedModels: team.allowedModels, dailyUsd: team.dailyUsd, monthlyUsd: team.monthlyUsd, rpm: team.rpm, admin: team.admin });
      await announce(cli, environment, 'tokens');
      print(`token "${name}" created; its secret (shown once, stored only as a hash): ${secret}`);
      return;
    }
    if (cli.subcommand === 'revoke') {
      if (!(await revokeToken(pool, name))) throw new Error(`no active token named "${name}"`);
      await announce(cli, environment, 'tokens');
      print(`token "${name}" revoked`);
      return;
    }
    throw new Error('tokens needs a subcommand: create, list or revoke');
  });

const describePolicy = (listing: PolicyListing): string => {
  const { policy } = listing;
  const rule = policy ? `${describeCondition(policy.when)}, models ${policy.allowedModels.join(',') || '(none)'}` : '';
  return `${listing.name}\t${policy ? 'in force' : `skipped: ${listing.problem}`}\tcreated ${listing.createdAt}\t${rule}`;
};

/** The one tag a policy matches (`--tag KEY=VALUE`); a policy for a whole team may have none. */
const policyTagOf = (cli: CliArguments): string | undefined => {
  if ((cli.tags?.length ?? 0) > 1) throw new Error('a policy matches one tag: give --tag KEY=VALUE once');
  return cli.tags?.[0];
};

/** `policies set|list|remove` against the team store: the policies every replica applies with the config's. */
export const policiesCommand = (cli: CliArguments, environment: NodeJS.ProcessEnv, print: Print = console.log): Promise<void> =>
  withMigratedPool(cli, environment, async (pool) => {
    if (cli.subcommand === 'list') {
      const policies = await listPolicies(pool);
      print(policies.length > 0 ? policies.map(describePolicy).join('\n') : 'no policies in the team store');
      return;
    }
    const name = nameOf(cli, 'policy');
    if (cli.subcommand === 'set') {
      const allowedModels = cli.teamStore?.allowedModels;
      if (!allowedModels) throw new Error('policies set needs the models it allows (--allowed-models a,b*)');
      const created = await setPolicy(pool, { name, tag: policyTagOf(cli), team: cli.teamStore?.team, allowedModels });
      await announce(cli, environment, 'policies');
      print(`policy "${name}" ${created ? 'created' : 'replaced'}`);
      return;
    }
    if (cli.subcommand === 'remove') {
      if (!(await removePolicy(pool, name))) throw new Error(`no policy named "${name}"`);
      await announce(cli, environment, 'policies');
      print(`policy "${name}" removed`);
      return;
    }
    throw new Error('policies needs a subcommand: set, list or remove');
  });
