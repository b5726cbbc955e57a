import type { Pool, PoolClient } from 'pg';
import { firstIssue, tagPolicyRuleSchema, tagPolicySchema } from '../../config/config-file.js';
import type { TagPolicy } from '../../governance/tag-policies.js';
import type { Logger } from '../../logger.js';
import { inTransaction } from './postgres-transaction.js';
import type { FeedKind } from './store-feed.js';
import { ensureTeam } from './team-tokens.js';

/** What `policies set` is given: the rule is the config's policy shape, `when.team` included. */
export interface NewPolicy {
  name: string;
  tag?: string;
  team?: string;
  allowedModels: string[];
}

/** A row of the policies table: the policy when its rule is sound, else what is wrong with it. */
export interface PolicyListing {
  name: string;
  createdAt: string;
  policy?: TagPolicy;
  problem?: string;
}

interface PolicyRow {
  name: string;
  team: string | null;
  rule: unknown;
  created_at: Date;
}

const POLICIES = 'policies';

/** The rule is checked by the config's own schema, however the row got there; the team column
 * (kept for the teams table's key) must name the rule's team. */
const listingOf = (row: PolicyRow): PolicyListing => {
  const listing = { name: row.name, createdAt: row.created_at.toISOString() };
  const parsed = tagPolicyRuleSchema.safeParse(row.rule);
  if (!parsed.success) return { ...listing, problem: firstIssue(parsed.error) };
  const { team } = parsed.data.when;
  if ((row.team ?? undefined) !== team) return { ...listing, problem: `its team column (${row.team ?? 'none'}) differs from its rule's team (${team ?? 'none'})` };
  return { ...listing, policy: { name: row.name, ...parsed.data } };
};

const readPolicies = async (client: PoolClient | Pool): Promise<PolicyListing[]> => {
  const result = await client.query<PolicyRow>('SELECT name, team, rule, created_at FROM policies ORDER BY created_at, name');
  return result.rows.map(listingOf);
};

/** The sound policies, as every replica reads them; a malformed row is logged and left out. */
export const policiesFeed = (log: Logger): FeedKind<TagPolicy> => ({
  name: POLICIES,
  read: async (client) => {
    const policies: TagPolicy[] = [];
    for (const listing of await readPolicies(client)) {
      if (listing.policy) policies.push(listing.policy);
      else log.warn(`policies: the team store's policy "${listing.name}" is skipped: ${listing.problem}`);
    }
    return policies;
  },
});

/** Creates or replaces a policy by name; true when it is new. Checked as a config policy is. */
export const setPolicy = async (pool: Pool, policy: NewPolicy): Promise<boolean> => {
  const parsed = tagPolicySchema.safeParse({ name: policy.name, when: { tag: policy.tag, team: policy.team }, allowedModels: policy.allowedModels });
  if (!parsed.success) throw new Error(`the policy is not valid: ${firstIssue(parsed.error)}`);
  const rule = { when: parsed.data.when, allowedModels: parsed.data.allowedModels };
  return inTransaction(pool, async (client) => {
    await ensureTeam(client, rule.when.team);
    const result = await client.query<{ created: boolean }>(
      'INSERT INTO policies (name, team, rule) VALUES ($1, $2, $3) ON CONFLICT (name) DO UPDATE SET team = EXCLUDED.team, rule = EXCLUDED.rule RETURNING (xmax = 0) AS created',
      [policy.name, rule.when.team ?? null, JSON.stringify(rule)],
    );
    return result.rows[0]?.created === true;
  });
};

/** Removes a policy by name; false when there is none. */
export const removePolicy = async (pool: Pool, name: string): Promise<boolean> => {
  const removed = await pool.query('DELETE FROM policies WHERE name = $1', [name]);
  return (removed.rowCount ?? 0) > 0;
};

export const listPolicies = (pool: Pool): Promise<PolicyListing[]> => readPolicies(pool);
