import { PROVIDER_PRESETS } from '../providers/presets.js';
import type { ProviderOverride } from '../providers/registry.js';

/** Provider keys and base URLs from the environment (MODAPI_API_KEY, ANTHROPIC_BASE_URL, ...). */
export const providersFromEnvironment = (environment: NodeJS.ProcessEnv): Record<string, ProviderOverride> => {
  const providers: Record<string, ProviderOverride> = {};
  for (const preset of PROVIDER_PRESETS) {
    const apiKey = preset.keyVariable ? environment[preset.keyVariable]?.trim() : undefined;
    const baseUrl = preset.baseUrlVariable ? environment[preset.baseUrlVariable]?.trim() : undefined;
    if (apiKey || baseUrl) providers[preset.id] = { ...(apiKey ? { apiKey } : {}), ...(baseUrl ? { baseUrl } : {}) };
  }
  return providers;
};
