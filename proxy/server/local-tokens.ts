import { hash, timingSafeEqual } from 'node:crypto';
import type { TokenPolicy } from '../governance/token-policy.js';
import type { StoredToken } from '../store/store-seam.js';

export interface LocalClient {
  /** The token's name, one per tool (`default`, `aider`, `claude-code`). Never the token itself. */
  name: string;
  /** Allowed models, budgets and request rate of this token (none: no limits). */
  policy?: TokenPolicy;
  /** Reads every client's usage through /modapi/usage*; any other token reads only its own. */
  admin?: boolean;
  /** The team its usage counts for (usage by team, team budgets and policies). */
  team?: string;
}

/** A token as configured: its name, the secret, its policy; a revoked token is refused. */
export interface LocalTokenEntry extends TokenPolicy {
  name: string;
  token: string;
  revoked?: boolean;
  admin?: boolean;
  team?: string;
}

interface DigestedToken {
  digest: Buffer;
  client: LocalClient;
}

// One-shot hashing: createHash builds a stream object per call, measured twice the time on the hot path.
const digestOf = (token: string): Buffer => hash('sha256', token, 'buffer');

/** What a keep-alive connection proved: the token it presented (held here, outside any LocalTokens,
 * so no store ever holds a token) and what it matched, in which set of tokens. */
interface Proof {
  tokens: LocalTokens;
  generation: number;
  token: string;
  client: LocalClient;
}

const proofs = new WeakMap<object, Proof>();

/** The local tokens the gateway accepts. Tokens are kept only as SHA-256 digests; a presented token
 * is compared against every stored one in constant time, with no early exit.
 *
 * A keep-alive connection that proved a token that way is not made to prove it again on each
 * request: its next requests are matched against what it presented itself (hashing measured a
 * sixth of the gateway's own time to first byte). That comparison can only tell a connection about
 * a token it has just shown; a new connection, a different token or a changed set of tokens goes
 * through the constant-time comparison again. */
export class LocalTokens {
  private tokens: DigestedToken[] = [];
  private configured: DigestedToken[] = [];
  private fromStore: DigestedToken[] = [];
  /** Bumped by every change of the set, so a revoked token stops working on open connections too. */
  private generation = 0;

  constructor(entries: LocalTokenEntry[] = []) {
    this.replace(entries);
  }

  /** Replaces the configured set at run time (the extension keeps tokens in SecretStorage). */
  replace(entries: LocalTokenEntry[]): void {
    this.configured = entries
      .filter((entry) => entry.token.length > 0 && !entry.revoked)
      .map((entry) => ({ digest: digestOf(entry.token), client: { name: entry.name, policy: policyOf(entry), admin: entry.admin === true, ...(entry.team ? { team: entry.team } : {}) } }));
    this.combine();
  }

  /** Replaces the tokens a team store keeps (digests only), beside the configured ones. A name is
   * who a token is (its budgets, its stored responses, its usage): a stored token named like a
   * configured one is left out, and its name returned, rather than made the same client. */
  replaceStored(tokens: readonly StoredToken[]): string[] {
    const configuredNames = new Set(this.configured.map((token) => token.client.name));
    const clashing = tokens.filter((token) => configuredNames.has(token.name)).map((token) => token.name);
    this.fromStore = tokens
      .filter((token) => !configuredNames.has(token.name))
      .map((token) => ({ digest: token.digest, client: { name: token.name, policy: token.policy, admin: token.admin, team: token.team } }));
    this.combine();
    return clashing;
  }

  private combine(): void {
    this.generation += 1;
    this.tokens = [...this.configured, ...this.fromStore];
  }

  /** The client a presented token belongs to; `connection` (the request's socket) lets a keep-alive
   * connection's later requests skip the hashing. */
  authenticate(presented: string | undefined, connection?: object): LocalClient | undefined {
    if (!presented) return undefined;
    const proof = connection && proofs.get(connection);
    if (proof && proof.tokens === this && proof.generation === this.generation && proof.token === presented) return proof.client;
    const digest = digestOf(presented);
    let match: LocalClient | undefined;
    for (const stored of this.tokens) {
      if (timingSafeEqual(stored.digest, digest)) match = stored.client;
    }
    if (match && connection) proofs.set(connection, { tokens: this, generation: this.generation, token: presented, client: match });
    return match;
  }

  get size(): number {
    return this.tokens.length;
  }
}

const policyOf = (entry: LocalTokenEntry): TokenPolicy | undefined => {
  const { allowedModels, dailyBudgetUsd, monthlyBudgetUsd, requestsPerMinute } = entry;
  if (allowedModels === undefined && dailyBudgetUsd === undefined && monthlyBudgetUsd === undefined && requestsPerMinute === undefined) return undefined;
  return { allowedModels, dailyBudgetUsd, monthlyBudgetUsd, requestsPerMinute };
};
