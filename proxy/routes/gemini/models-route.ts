import type { Request, Response } from 'express';
import type { CatalogEntry } from '../../catalog/catalog.js';
import { GatewayError } from '../../errors.js';
import { GEMINI_METHODS } from '../../dialects/gemini/api.js';
import type { GatewayContext } from '../../server/gateway-context.js';

const GENERATE_METHODS = [GEMINI_METHODS.generate, GEMINI_METHODS.stream, GEMINI_METHODS.countTokens];
const EMBED_METHODS = [GEMINI_METHODS.embed, GEMINI_METHODS.batchEmbed];

/** What a model answers on the Gemini paths, from what it does. */
const methodsOf = (entry: CatalogEntry): string[] => {
  if (entry.modalities.includes('embedding')) return EMBED_METHODS;
  if (entry.modalities.includes('text')) return GENERATE_METHODS;
  return [];
};

/** The catalog's entry as Gemini's Model resource; the name is what a client passes back. */
export const toGeminiModel = (entry: CatalogEntry) => ({
  name: `models/${entry.id}`,
  baseModelId: entry.id,
  version: entry.upstreamId,
  displayName: entry.name ?? entry.id,
  description: `${entry.id} via the ModAPI gateway (provider ${entry.provider})`,
  ...(entry.contextWindow ? { inputTokenLimit: entry.contextWindow } : {}),
  ...(entry.maxOutputTokens ? { outputTokenLimit: entry.maxOutputTokens } : {}),
  supportedGenerationMethods: methodsOf(entry),
});

/** GET .../models: every model with a Gemini method, in one page. */
export const listGeminiModels = (gateway: GatewayContext) => async (_request: Request, response: Response) => {
  const entries = await gateway.catalog.list();
  response.json({ models: entries.filter((entry) => methodsOf(entry).length > 0).map(toGeminiModel) });
};

/** GET .../models/{model}; ids may hold slashes (`anthropic/claude-sonnet-4-5`). */
export const getGeminiModel = (gateway: GatewayContext) => async (_request: Request, response: Response, model: string) => {
  await gateway.catalog.list();
  const entry = gateway.catalog.find(model);
  if (!entry) throw GatewayError.modelNotFound(model);
  response.json(toGeminiModel(entry));
};
