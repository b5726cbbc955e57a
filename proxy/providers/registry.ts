import { GatewayError } from '../errors.js';
import { DEFAULT_PROVIDER_ID, PROVIDER_PRESETS, type ProviderPreset } from './presets.js';
import type { ProviderConfig } from './types.js';

export interface ProviderOverride {
  baseUrl?: string;
  apiKey?: string;
  headers?: Record<string, string>;
  /** Providers not among the presets: an OpenAI-compatible host under a name of the user's. */
  dialect?: ProviderConfig['dialect'];
  /** Turns the relay of `/v1/responses` to the host's own Responses API on or off (presets.ts). */
  responsesApi?: boolean;
}

export interface ResolvedModel {
  provider: ProviderConfig;
  upstreamModel: string;
  /** The id as the client named it. */
  requestedModel: string;
}

const fromPreset = (preset: ProviderPreset, override: ProviderOverride | undefined): ProviderConfig => ({
  id: preset.id,
  dialect: override?.dialect ?? preset.dialect,
  baseUrl: stripTrailingSlash(override?.baseUrl ?? preset.defaultBaseUrl),
  apiKey: override?.apiKey || undefined,
  keyOptional: preset.keyOptional ?? false,
  keyHint: preset.keyVariable
    ? `set ${preset.keyVariable} (or run "ModAPI: ${preset.id === DEFAULT_PROVIDER_ID ? 'Set API Key' : 'Add Provider Key'}" in VS Code)`
    : `configure the ${preset.id} provider`,
  headers: override?.headers ?? preset.headers,
  streamUsageOption: preset.streamUsageOption ?? true,
  responsesApi: override?.responsesApi ?? preset.responsesApi ?? false,
});

/** Longer ids are refused before routing: an id is copied into the ledger and the rollups, and no
 * provider's ids come near this length. */
export const MAX_MODEL_ID_LENGTH = 256;

const stripTrailingSlash = (url: string): string => url.replace(/\/+$/, '');

/** Every provider the gateway knows, and the routing of a model id to one of them. */
export class ProviderRegistry {
  private readonly providers = new Map<string, ProviderConfig>();
  /** Providers the user set up (a key, a base URL, or a provider of their own). */
  private readonly setUp = new Set<string>();
  readonly defaultProviderId: string;

  constructor(overrides: Record<string, ProviderOverride> = {}, defaultProviderId = DEFAULT_PROVIDER_ID, timeouts?: ProviderConfig['timeouts']) {
    for (const preset of PROVIDER_PRESETS) this.providers.set(preset.id, fromPreset(preset, overrides[preset.id]));
    for (const [id, override] of Object.entries(overrides)) {
      if (this.providers.has(id) || !override.baseUrl) continue;
      const custom: ProviderPreset = { id, dialect: override.dialect ?? 'openai', defaultBaseUrl: override.baseUrl, baseUrlVariable: '' };
      this.providers.set(id, { ...fromPreset(custom, override), keyOptional: !override.apiKey, keyHint: `set apiKey for provider "${id}" in the config file` });
    }
    for (const [id, override] of Object.entries(overrides)) if (this.providers.has(id) && (override.apiKey || override.baseUrl)) this.setUp.add(id);
    if (timeouts) for (const provider of this.providers.values()) provider.timeouts = timeouts;
    this.defaultProviderId = defaultProviderId;
  }

  get(id: string): ProviderConfig | undefined {
    return this.providers.get(id);
  }

  all(): ProviderConfig[] {
    return [...this.providers.values()];
  }

  /** Providers worth asking for a model list: those with a key, the default one, and keyless ones
   * the user pointed somewhere (OLLAMA_BASE_URL, a provider of their own). */
  configured(): ProviderConfig[] {
    return this.all().filter((provider) => provider.apiKey !== undefined || provider.id === this.defaultProviderId || (provider.keyOptional && this.setUp.has(provider.id)));
  }

  /** A bare id goes to the default provider unchanged; `provider/model` picks a provider. An id whose
   * prefix is not a provider goes whole to the default provider only if its catalog lists it
   * (`meta-llama/llama-3` on an OpenRouter-like default); otherwise it is an unknown model. */
  resolve(model: string, knownToDefaultProvider: (id: string) => boolean = () => false): ResolvedModel {
    if (typeof model !== 'string' || model.length === 0) throw GatewayError.invalidRequest('you must provide a model parameter', 'model');
    // The message does not quote the id: it could be megabytes long.
    if (model.length > MAX_MODEL_ID_LENGTH) throw GatewayError.invalidRequest(`The model id is ${model.length} characters long; model ids are at most ${MAX_MODEL_ID_LENGTH}.`, 'model', 'model_id_too_long');
    const slash = model.indexOf('/');
    if (slash > 0) {
      const provider = this.providers.get(model.slice(0, slash));
      if (provider) {
        const upstreamModel = model.slice(slash + 1);
        if (!upstreamModel) throw GatewayError.modelNotFound(model);
        return { provider, upstreamModel, requestedModel: model };
      }
    }
    const fallback = this.providers.get(this.defaultProviderId);
    if (!fallback || (slash > 0 && !knownToDefaultProvider(model))) throw GatewayError.modelNotFound(model);
    return { provider: fallback, upstreamModel: model, requestedModel: model };
  }

  /** The key check every model call makes before it reaches an upstream. */
  requireKey(provider: ProviderConfig): void {
    if (provider.apiKey || provider.keyOptional) return;
    throw new GatewayError(401, `No API key is configured for provider "${provider.id}": ${provider.keyHint}.`, {
      type: 'authentication_error',
      code: 'missing_api_key',
    });
  }
}
