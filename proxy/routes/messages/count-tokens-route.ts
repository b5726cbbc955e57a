import type { Request, Response } from 'express';
import { adapterFor } from '../../adapters/index.js';
import { resolveModel, type GatewayContext } from '../../server/gateway-context.js';
import { readJsonBody } from '../../server/read-body.js';
import { sendUpstream } from '../../upstream/http-client.js';
import { errorFromUpstream } from '../../upstream/upstream-error.js';
import { attributedRequesterOf, clientGoneSignal } from '../../usage/request-tracker.js';
import { messagesAttribution } from '../../dialects/anthropic-messages/attribution.js';
import { validate } from '../validation.js';
import type { AnthropicRequest } from '../../dialects/anthropic-messages/wire-types.js';
import { estimateInputTokens } from '../../dialects/anthropic-messages/estimate-tokens.js';
import { anthropicUrl, COUNT_TOKENS_PATH, relayedAnthropicHeaders } from '../../dialects/anthropic-messages/api.js';
import { countTokensSchema } from '../../dialects/anthropic-messages/request-schema.js';

/** POST /v1/messages/count_tokens. An Anthropic upstream counts exactly (its endpoint is free and
 * writes no ledger record); for every other model the answer is an estimate from the characters of
 * the request (see estimateInputTokens). The token's allowed models, the policies by tag and the rate apply before either,
 * so a token that may not use the model never has the provider's key sent for it. */
export const countTokens = (gateway: GatewayContext) => async (request: Request, response: Response) => {
  const body = (await readJsonBody(request, gateway.limits.jsonBytes)) as AnthropicRequest;
  validate(countTokensSchema, body);
  const resolved = resolveModel(gateway, body.model);
  await gateway.governance?.admitUnbilled(attributedRequesterOf(gateway, request, response, messagesAttribution(body)), resolved);
  if (!adapterFor(resolved.provider.dialect).relays.has('anthropic-messages')) {
    response.json({ input_tokens: estimateInputTokens(body) });
    return;
  }
  gateway.registry.requireKey(resolved.provider);
  const upstream = await sendUpstream({
    url: anthropicUrl(resolved.provider, COUNT_TOKENS_PATH),
    headers: relayedAnthropicHeaders(resolved.provider, request.headers, false),
    body: JSON.stringify({ ...body, model: resolved.upstreamModel }),
    signal: clientGoneSignal(response),
    timeouts: resolved.provider.timeouts,
  });
  const text = await upstream.body.text();
  if (upstream.statusCode >= 400) throw errorFromUpstream(upstream.statusCode, upstream.headers, text, resolved.provider.id);
  response.writeHead(upstream.statusCode, { 'content-type': 'application/json' });
  response.end(text);
};
