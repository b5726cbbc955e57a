import { Catalog } from '../../proxy/catalog/catalog.js';
import { Redactor, silentLogger } from '../../proxy/logger.js';
import { ProviderRegistry, type ProviderOverride } from '../../proxy/providers/registry.js';
import { DEFAULT_LIMITS, type GatewayContext } from '../../proxy/server/gateway-context.js';
import { LocalTokens } from '../../proxy/server/local-tokens.js';
import type { UsageRecord } from '../../proxy/usage/usage-record.js';

/** A gateway context as the extension builds one, without a listening server, recording its
 * ledger in memory: what the chat view's in-process calls run against. */
export const inProcessGateway = (providers: Record<string, ProviderOverride>): { gateway: GatewayContext; records: UsageRecord[] } => {
  const records: UsageRecord[] = [];
  const registry = new ProviderRegistry(providers);
  const gateway: GatewayContext = {
    registry,
    catalog: new Catalog(registry, { ttlMs: 60_000 }),
    tokens: new LocalTokens([]),
    usage: { record: (record) => records.push(record) },
    limits: DEFAULT_LIMITS,
    log: silentLogger,
    redactor: new Redactor(),
    videoOwners: new Map(),
  };
  return { gateway, records };
};
