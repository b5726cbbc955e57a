import type { OverallBudget } from '../../proxy/governance/budgets.js';
import type { ProviderOverride } from '../../proxy/providers/registry.js';
import type { LocalTokenEntry } from '../secrets/token-format.js';
import type { ModapiSettings } from '../settings.js';

export interface SecretSnapshot {
  apiKey: string | undefined;
  providerKeys: Record<string, string>;
  localTokens: LocalTokenEntry[];
}

/** Whether `/v1/responses` is relayed to the provider's own Responses API, when the user said. */
const responsesApiOf = (entry: ModapiSettings['providers'][string] | undefined): Pick<ProviderOverride, 'responsesApi'> => (entry?.responsesApi === undefined ? {} : { responsesApi: entry.responsesApi });

/** Providers for the gateway: ModAPI from `modapi.baseUrl` and the key, others from
 * `modapi.providers` (base URLs) and their keys in SecretStorage. */
export const providersFrom = (settings: ModapiSettings, secrets: SecretSnapshot): Record<string, ProviderOverride> => {
  const providers: Record<string, ProviderOverride> = {};
  for (const [id, entry] of Object.entries(settings.providers)) {
    if (id !== 'modapi') providers[id] = { baseUrl: entry.baseUrl, headers: entry.headers, ...responsesApiOf(entry) };
  }
  for (const [id, key] of Object.entries(secrets.providerKeys)) {
    if (id !== 'modapi') providers[id] = { ...providers[id], apiKey: key };
  }
  providers.modapi = { baseUrl: settings.baseUrl, apiKey: secrets.apiKey, headers: settings.providers.modapi?.headers, ...responsesApiOf(settings.providers.modapi) };
  return providers;
};

/** The budget settings as the gateway takes them: 0 means no cap, or no reservation set for
 * models without a price (then the worst case applies). */
export const overallBudgetFrom = (settings: ModapiSettings): OverallBudget => ({
  dailyUsd: positiveOrUndefined(settings.budget.dailyUsd),
  monthlyUsd: positiveOrUndefined(settings.budget.monthlyUsd),
  unpricedUsdPerRequest: positiveOrUndefined(settings.budget.unpricedUsdPerRequest),
});

const positiveOrUndefined = (value: number): number | undefined => (value > 0 ? value : undefined);

/** The part of startGateway's options that comes from settings and secrets. */
export const gatewayOptionsFrom = (settings: ModapiSettings, secrets: SecretSnapshot) => ({
  port: settings.gatewayPort,
  providers: providersFrom(settings, secrets),
  tokens: secrets.localTokens.map((entry) => ({ name: entry.name, token: entry.token })),
  allowedOrigins: settings.allowedOrigins,
  budget: overallBudgetFrom(settings),
  retries: { maxRetries: settings.retries },
  fallbacks: settings.fallbacks,
});

/** Settings whose change means the gateway must be rebuilt. */
export const GATEWAY_SETTING_KEYS = ['modapi.baseUrl', 'modapi.gateway', 'modapi.providers', 'modapi.budget', 'modapi.retries', 'modapi.fallbacks'] as const;
