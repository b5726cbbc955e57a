import { GEMINI_METHODS } from '../../dialects/gemini/api.js';
import type { Request, Response } from 'express';
import { adapterFor } from '../../adapters/index.js';
import { resolveModel, type GatewayContext } from '../../server/gateway-context.js';
import { readJsonBody } from '../../server/read-body.js';
import { attributedRequesterOf } from '../../usage/request-tracker.js';
import { geminiAttribution } from '../../dialects/gemini/attribution.js';
import { validate } from '../validation.js';
import { estimateGeminiTokens } from '../../dialects/gemini/estimate-tokens.js';
import { countTokensSchema } from '../../dialects/gemini/request-schema.js';
import type { GeminiClientRequest } from '../../dialects/gemini/wire-types.js';
import { forwardGeminiJson } from './forward-json.js';

type CountTokensBody = { contents?: GeminiClientRequest['contents']; generateContentRequest?: GeminiClientRequest & { model?: string } };

/** POST .../models/{model}:countTokens. A Gemini upstream counts exactly (free, no ledger record);
 * for every other model the answer is an estimate from the characters of the request. The token's
 * allowed models, the policies by tag and the rate apply before either, so a token that may not use the model never has
 * the provider's key sent for it. */
export const countTokens = (gateway: GatewayContext) => async (request: Request, response: Response, model: string) => {
  const body = (await readJsonBody(request, gateway.limits.jsonBytes)) as CountTokensBody;
  validate(countTokensSchema, body);
  const resolved = resolveModel(gateway, model);
  await gateway.governance?.admitUnbilled(attributedRequesterOf(gateway, request, response, geminiAttribution(body.generateContentRequest ?? body)), resolved);
  if (!adapterFor(resolved.provider.dialect).relays.has('gemini-generate')) {
    response.json({ totalTokens: estimateGeminiTokens(body.generateContentRequest ?? body) });
    return;
  }
  gateway.registry.requireKey(resolved.provider);
  // A whole generateContentRequest names its model; it must be the upstream's.
  const forwarded = body.generateContentRequest ? { ...body, generateContentRequest: { ...body.generateContentRequest, model: `models/${resolved.upstreamModel}` } } : body;
  await forwardGeminiJson(resolved, GEMINI_METHODS.countTokens, forwarded, response);
};
