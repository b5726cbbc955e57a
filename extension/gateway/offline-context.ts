import { Catalog } from '../../proxy/catalog/catalog.js';
import type { Logger, Redactor } from '../../proxy/logger.js';
import { ProviderRegistry, type ProviderOverride } from '../../proxy/providers/registry.js';
import { DEFAULT_LIMITS, type GatewayContext } from '../../proxy/server/gateway-context.js';
import { LocalTokens } from '../../proxy/server/local-tokens.js';
import type { UsageSink } from '../../proxy/usage/usage-record.js';

/** The gateway core without an HTTP listener, for the picker and the chat view when the user
 * turned the gateway off or its port is taken. */
export const createOfflineContext = (providers: Record<string, ProviderOverride>, log: Logger, redactor: Redactor, usage: UsageSink): GatewayContext => {
  const registry = new ProviderRegistry(providers);
  return {
    registry,
    catalog: new Catalog(registry, { ttlMs: 10 * 60_000, onListError: (providerId, error) => log.warn(`model list of ${providerId} unavailable: ${(error as Error).message}`) }),
    tokens: new LocalTokens([]),
    usage,
    limits: DEFAULT_LIMITS,
    log,
    redactor,
    videoOwners: new Map(),
  };
};
