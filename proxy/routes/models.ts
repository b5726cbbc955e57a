import type { Request, Response } from 'express';
import type { CatalogEntry } from '../catalog/catalog.js';
import { PRICE_TABLE_SOURCE } from '../catalog/bundled-table.js';
import { GatewayError } from '../errors.js';
import type { GatewayContext } from '../server/gateway-context.js';

const CREATED = Math.floor(Date.parse(`${PRICE_TABLE_SOURCE.date}T00:00:00Z`) / 1000);

/** OpenAI's model object, with the catalog's metadata under `modapi` for clients that want it. */
export const toModelObject = (entry: CatalogEntry) => ({
  id: entry.id,
  object: 'model',
  created: CREATED,
  owned_by: entry.ownedBy ?? entry.provider,
  modapi: {
    provider: entry.provider,
    upstream_id: entry.upstreamId,
    name: entry.name,
    modalities: entry.modalities,
    context_window: entry.contextWindow ?? null,
    max_output_tokens: entry.maxOutputTokens ?? null,
    pricing: entry.price ?? null,
    pricing_source: entry.priceSource ?? null,
  },
});

/** GET /v1/models (`?refresh=true` skips the cache). */
export const listModels = (gateway: GatewayContext) => async (request: Request, response: Response) => {
  const entries = await gateway.catalog.list(request.query.refresh === 'true');
  response.json({ object: 'list', data: entries.map(toModelObject) });
};

/** GET /v1/models/{id}; ids may hold slashes (`anthropic/claude-sonnet-4-5`). */
export const getModel = (gateway: GatewayContext) => async (request: Request, response: Response) => {
  const segments = request.params.id as unknown as string[] | string;
  const id = Array.isArray(segments) ? segments.join('/') : segments;
  await gateway.catalog.list();
  const entry = gateway.catalog.find(id);
  if (!entry) throw GatewayError.modelNotFound(id);
  response.json(toModelObject(entry));
};
