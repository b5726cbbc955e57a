import { createHash, timingSafeEqual } from 'node:crypto';

export interface LocalClient {
  /** The token's name, one per tool (`default`, `aider`, `claude-code`). Never the token itself. */
  name: string;
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

  constructor(entries: { name: string; token: string }[] = []) {
    this.replace(entries);
  }

  replace(entries: { name: string; token: string }[]): void {
    this.tokens = entries.filter((entry) => entry.token.length > 0).map((entry) => ({ digest: digestOf(entry.token), client: { name: entry.name } }));
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
