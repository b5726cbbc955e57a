import type { ProviderConfig } from '../../providers/types.js';

/** A response the gateway relayed to a provider that keeps it. */
export interface RelayedResponse {
  /** The local token's name that created it: only that token reads it through the gateway. */
  owner: string;
  provider: ProviderConfig;
  /** The model id as the client named it (the provider's answers name its own). */
  model: string;
}

/** How many relayed responses are remembered; past it the oldest go first. */
const MAX_REMEMBERED = 10_000;

/** Which provider holds each response the gateway relayed (for this process's life), so that
 * GET and DELETE /v1/responses/{id} reach it, for the token that made it only: the gateway's key
 * would otherwise read any response of the provider's account for any token that knew its id. */
export class RelayedResponses {
  private readonly entries = new Map<string, RelayedResponse>();

  remember(id: string, relayed: RelayedResponse): void {
    this.entries.delete(id);
    this.entries.set(id, relayed);
    if (this.entries.size > MAX_REMEMBERED) this.entries.delete(this.entries.keys().next().value as string);
  }

  /** The token's relayed response, or undefined (another token's is not told apart from none). */
  lookup(id: string, owner: string): RelayedResponse | undefined {
    const relayed = this.entries.get(id);
    return relayed?.owner === owner ? relayed : undefined;
  }

  forget(id: string): void {
    this.entries.delete(id);
  }
}
