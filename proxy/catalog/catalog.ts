import { adapterFor } from '../adapters/index.js';
import type { CatalogModel, Modality } from '../adapters/types.js';
import type { ProviderRegistry } from '../providers/registry.js';
import type { ProviderConfig } from '../providers/types.js';
import { BUNDLED_MODELS, findBundledModel, modalitiesFromId, PRICE_TABLE_SOURCE, type ModelPrice } from './bundled-table.js';

export interface CatalogEntry extends CatalogModel {
  modalities: Modality[];
  price?: ModelPrice;
  /** Where the price came from: the bundled table (with its date) or the user's override. */
  priceSource?: string;
}

/** The highest token prices the catalog knows and the longest answer any model in it may give:
 * what a request to a model without a price may cost at worst, as far as the gateway can tell. */
export interface PriceCeiling {
  inputUsdPerMillion: number;
  outputUsdPerMillion: number;
  maxOutputTokens: number;
}

export interface CatalogOptions {
  ttlMs: number;
  /** Keyed by client-facing id (`gpt-4o`, `anthropic/claude-sonnet-4-5`). */
  priceOverrides?: Record<string, ModelPrice>;
  onListError?: (providerId: string, error: unknown) => void;
}

const LIST_TIMEOUT_MS = 10_000;

/** Every configured provider's live model list merged with the bundled table, cached for a while. */
export class Catalog {
  private entries: CatalogEntry[] = [];
  private byId = new Map<string, CatalogEntry>();
  private loadedAt = 0;
  private loading: Promise<CatalogEntry[]> | undefined;
  private ceiling: PriceCeiling | undefined;

  constructor(
    private readonly registry: ProviderRegistry,
    private readonly options: CatalogOptions,
  ) {}

  async list(forceRefresh = false): Promise<CatalogEntry[]> {
    if (!forceRefresh && this.loadedAt > 0 && Date.now() - this.loadedAt < this.options.ttlMs) return this.entries;
    this.loading ??= this.load().finally(() => {
      this.loading = undefined;
    });
    return this.loading;
  }

  /** The cached entry for a client-facing id, without waiting on upstreams. */
  find(id: string): CatalogEntry | undefined {
    return this.byId.get(id) ?? this.describe(this.registry.resolve(id, () => true).provider, id);
  }

  /** Price for a served model, the user's override first. */
  priceFor(clientModelId: string, upstreamModel: string): { price: ModelPrice; source: string } | undefined {
    const override = this.options.priceOverrides?.[clientModelId];
    if (override) return { price: override, source: 'user override' };
    const bundled = findBundledModel(upstreamModel);
    if (!bundled?.price) return undefined;
    return { price: bundled.price, source: `${PRICE_TABLE_SOURCE.source}, ${PRICE_TABLE_SOURCE.date}` };
  }

  /** The highest token prices of the bundled table and the overrides, and the longest maximum
   * output in the table: the worst case assumed for a model without a price. */
  priceCeiling(): PriceCeiling {
    if (!this.ceiling) {
      const prices = [...BUNDLED_MODELS.map((model) => model.price), ...Object.values(this.options.priceOverrides ?? {})];
      this.ceiling = {
        inputUsdPerMillion: Math.max(0, ...prices.map((price) => price?.input ?? 0)),
        outputUsdPerMillion: Math.max(0, ...prices.map((price) => price?.output ?? 0)),
        maxOutputTokens: Math.max(0, ...BUNDLED_MODELS.map((model) => model.maxOutputTokens ?? 0)),
      };
    }
    return this.ceiling;
  }

  knows(id: string): boolean {
    return this.byId.has(id);
  }

  private async load(): Promise<CatalogEntry[]> {
    const providers = this.registry.configured();
    const lists = await Promise.all(providers.map((provider) => this.listProvider(provider)));
    const entries = lists.flat();
    this.entries = entries;
    this.byId = new Map(entries.map((entry) => [entry.id, entry]));
    this.loadedAt = Date.now();
    return entries;
  }

  private async listProvider(provider: ProviderConfig): Promise<CatalogEntry[]> {
    const isDefault = provider.id === this.registry.defaultProviderId;
    try {
      if (!provider.apiKey && !provider.keyOptional) throw new Error('no key');
      const live = await adapterFor(provider.dialect).listModels(provider, AbortSignal.timeout(LIST_TIMEOUT_MS));
      return live.map((model) => this.enrich(provider, model.upstreamId, model));
    } catch (error) {
      if (provider.apiKey || provider.keyOptional) this.options.onListError?.(provider.id, error);
      // Without a live list the default provider still offers the bundled table, so a new user
      // can pick a model before the key is set.
      return isDefault ? BUNDLED_MODELS.map((model) => this.enrich(provider, model.id)) : [];
    }
  }

  private describe(provider: ProviderConfig, id: string): CatalogEntry | undefined {
    const upstreamId = id.startsWith(`${provider.id}/`) ? id.slice(provider.id.length + 1) : id;
    return findBundledModel(upstreamId) ? this.enrich(provider, upstreamId) : undefined;
  }

  private enrich(provider: ProviderConfig, upstreamId: string, live?: CatalogModel): CatalogEntry {
    const bundled = findBundledModel(upstreamId);
    const id = provider.id === this.registry.defaultProviderId ? upstreamId : `${provider.id}/${upstreamId}`;
    const priced = this.priceFor(id, upstreamId);
    return {
      id,
      provider: provider.id,
      upstreamId,
      ownedBy: live?.ownedBy ?? provider.id,
      name: live?.name ?? bundled?.name ?? upstreamId,
      contextWindow: live?.contextWindow ?? bundled?.contextWindow,
      maxOutputTokens: live?.maxOutputTokens ?? bundled?.maxOutputTokens,
      modalities: live?.modalities ?? bundled?.modalities ?? modalitiesFromId(upstreamId),
      price: priced?.price,
      priceSource: priced?.source,
    };
  }
}
