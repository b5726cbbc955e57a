import type { Pool } from 'pg';
import type { Logger } from '../../logger.js';
import type { StoredToken } from '../store-seam.js';
import { loadTokens, tokensVersion } from './team-tokens.js';

/** The store's tokens as this replica knows them: read at start, read again when the tokens'
 * version moves (checked every pollMs, and at once when Redis broadcasts a change), so a revoked
 * token is refused on every replica within a second. */
export class TokenFeed {
  private version = -1;
  private tokens: StoredToken[] = [];
  private readonly listeners: ((tokens: StoredToken[]) => void)[] = [];
  private readonly timer: NodeJS.Timeout;
  private refreshing: Promise<void> | undefined;
  private unreachable = false;

  private constructor(
    private readonly pool: Pool,
    private readonly log: Logger,
    pollMs: number,
  ) {
    this.timer = setInterval(() => void this.poll(), pollMs);
    this.timer.unref();
  }

  static async open(pool: Pool, log: Logger, pollMs: number): Promise<TokenFeed> {
    const feed = new TokenFeed(pool, log, pollMs);
    await feed.refresh();
    return feed;
  }

  watch(listener: (tokens: StoredToken[]) => void): void {
    this.listeners.push(listener);
    listener(this.tokens);
  }

  refresh(): Promise<void> {
    this.refreshing ??= loadTokens(this.pool)
      .then(({ version, tokens }) => {
        if (version === this.version) return;
        this.version = version;
        this.tokens = tokens;
        for (const listener of this.listeners) listener(tokens);
      })
      .finally(() => (this.refreshing = undefined));
    return this.refreshing;
  }

  close(): void {
    clearInterval(this.timer);
  }

  private async poll(): Promise<void> {
    try {
      if ((await tokensVersion(this.pool)) !== this.version) await this.refresh();
      this.unreachable = false;
    } catch (error) {
      // Postgres away: the tokens known stay in force until it is back.
      if (!this.unreachable) this.log.warn(`tokens: the team store could not be read (${(error as Error).message}); the tokens known stay in force`);
      this.unreachable = true;
    }
  }
}
