import { createHash, timingSafeEqual } from 'node:crypto';
import type { TokenPolicy } from '../governance/token-policy.js';

export interface LocalClient {
  /** The token's name, one per tool (`default`, `aider`, `claude-code`). Never the token itself. */
  name: string;
  /** Allowed models, budgets and request rate of this token (none: no limits). */
  policy?: TokenPolicy;
}

/** A token as configured: its name, the secret, its policy; a revoked token is refused. */
export interface LocalTokenEntry extends TokenPolicy {
  name: string;
  token: string;
  revoked?: boolean;
}

interface StoredToken {
  digest: Buffer;
  client: LocalClient;
}

const digestOf = (token: string): Buffer => createHash('sha256').update(token, 'utf8').digest();

/** The local tokens the gateway accepts. Tokens are kept only as SHA-256 digests; a presented token
 * is compared against every stored one in constant time, with no early exit. */
export class LocalTokens {
  private tokens: StoredToken[] = [];

  constructor(entries: LocalTokenEntry[] = []) {
    this.replace(entries);
  }

  /** Replaces the whole set at run time (the extension keeps tokens in SecretStorage). */
  replace(entries: LocalTokenEntry[]): void {
    this.tokens = entries
      .filter((entry) => entry.token.length > 0 && !entry.revoked)
      .map((entry) => ({ digest: digestOf(entry.token), client: { name: entry.name, policy: policyOf(entry) } }));
  }

  authenticate(presented: string | undefined): LocalClient | undefined {
    if (!presented) return undefined;
    const digest = digestOf(presented);
    let match: LocalClient | undefined;
    for (const stored of this.tokens) {
      if (timingSafeEqual(stored.digest, digest)) match = stored.client;
    }
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
