import { hash, randomBytes } from 'node:crypto';
import type { Pool, PoolClient } from 'pg';
import type { TokenPolicy } from '../../governance/token-policy.js';
import type { StoredToken } from '../store-seam.js';
import { inTransaction } from './postgres-transaction.js';
import type { FeedKind } from './store-feed.js';

export interface NewToken {
  name: string;
  team?: string;
  allowedModels?: string[];
  dailyUsd?: number;
  monthlyUsd?: number;
  rpm?: number;
  admin?: boolean;
}

export interface TokenListing {
  name: string;
  team: string | null;
  allowedModels: string[] | null;
  dailyUsd: number | null;
  monthlyUsd: number | null;
  rpm: number | null;
  admin: boolean;
  createdAt: string;
  revokedAt: string | null;
}

interface TokenRow {
  name: string;
  team: string | null;
  secret_sha256: Buffer;
  allowed_models: string[] | null;
  daily_usd: number | null;
  monthly_usd: number | null;
  rpm: number | null;
  admin: boolean;
  created_at: Date;
  revoked_at: Date | null;
}

const digestOf = (secret: string): Buffer => hash('sha256', secret, 'buffer');

/** A token's or a policy's team must be in the teams table first. */
export const ensureTeam = async (client: PoolClient, team: string | undefined): Promise<void> => {
  if (team) await client.query('INSERT INTO teams (name) VALUES ($1) ON CONFLICT (name) DO NOTHING', [team]);
};

const policyOf = (row: TokenRow): TokenPolicy | undefined => {
  const policy: TokenPolicy = {};
  if (row.allowed_models) policy.allowedModels = row.allowed_models;
  if (row.daily_usd !== null) policy.dailyBudgetUsd = row.daily_usd;
  if (row.monthly_usd !== null) policy.monthlyBudgetUsd = row.monthly_usd;
  if (row.rpm !== null) policy.requestsPerMinute = row.rpm;
  return Object.keys(policy).length > 0 ? policy : undefined;
};

/** The tokens in use, as every replica reads them. */
export const TOKENS_FEED: FeedKind<StoredToken> = {
  name: 'tokens',
  read: async (client) => {
    const rows = await client.query<TokenRow>('SELECT name, team, secret_sha256, allowed_models, daily_usd, monthly_usd, rpm, admin FROM tokens WHERE revoked_at IS NULL');
    return rows.rows.map((row) => ({ name: row.name, digest: row.secret_sha256, team: row.team ?? undefined, admin: row.admin, policy: policyOf(row) }));
  },
};

/** Creates a token; the secret is returned once and only its SHA-256 digest is stored. */
export const createToken = async (pool: Pool, token: NewToken): Promise<string> => {
  const secret = `mk-team-${randomBytes(24).toString('base64url')}`;
  try {
    await inTransaction(pool, async (client) => {
      await ensureTeam(client, token.team);
      await client.query(
        'INSERT INTO tokens (name, team, secret_sha256, allowed_models, daily_usd, monthly_usd, rpm, admin) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)',
        [token.name, token.team ?? null, digestOf(secret), token.allowedModels ? JSON.stringify(token.allowedModels) : null, token.dailyUsd ?? null, token.monthlyUsd ?? null, token.rpm ?? null, token.admin === true],
      );
    });
  } catch (error) {
    if ((error as { code?: string }).code === '23505') throw new Error(`a token named "${token.name}" exists already`);
    throw error;
  }
  return secret;
};

/** Revokes a token by name; false when there is no such token still in use. */
export const revokeToken = async (pool: Pool, name: string): Promise<boolean> => {
  const revoked = await pool.query('UPDATE tokens SET revoked_at = now() WHERE name = $1 AND revoked_at IS NULL', [name]);
  return (revoked.rowCount ?? 0) > 0;
};

export const listTokens = async (pool: Pool): Promise<TokenListing[]> => {
  const result = await pool.query<TokenRow>('SELECT name, team, allowed_models, daily_usd, monthly_usd, rpm, admin, created_at, revoked_at FROM tokens ORDER BY created_at, name');
  return result.rows.map((row) => ({
    name: row.name,
    team: row.team,
    allowedModels: row.allowed_models,
    dailyUsd: row.daily_usd,
    monthlyUsd: row.monthly_usd,
    rpm: row.rpm,
    admin: row.admin,
    createdAt: row.created_at.toISOString(),
    revokedAt: row.revoked_at?.toISOString() ?? null,
  }));
};
