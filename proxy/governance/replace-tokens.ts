import type { GatewayContext } from '../server/gateway-context.js';
import type { LocalTokenEntry } from '../server/local-tokens.js';

/** Replaces the gateway's local tokens while it runs (the extension keeps them in SecretStorage and
 * calls this when one is created, changed or revoked). New secrets are taught to the redactor
 * first, so no log line can show them. */
export const replaceLocalTokens = (gateway: Pick<GatewayContext, 'tokens' | 'redactor'>, entries: LocalTokenEntry[]): void => {
  for (const entry of entries) gateway.redactor.addSecret(entry.token);
  gateway.tokens.replace(entries);
};
