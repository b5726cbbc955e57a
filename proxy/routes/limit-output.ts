import type { ChatRequest } from '../adapters/types.js';
import type { ResolvedModel } from '../providers/registry.js';
import type { GatewayContext } from '../server/gateway-context.js';

/** OpenAI's reasoning models refuse `max_tokens` and want `max_completion_tokens`. */
const REASONING_MODEL = /^(o\d|gpt-5)/i;

/** Anthropic clients ask for as much output as Claude allows (Claude Code: 32000), Responses
 * clients often as much as OpenAI's models allow; another model refuses more than its own limit
 * with a 400, so a translated request is held to the catalog's limit. */
export const limitOutput = (gateway: GatewayContext, resolved: ResolvedModel, chatRequest: ChatRequest): void => {
  const requested = chatRequest.max_tokens;
  if (requested === undefined) return;
  const limit = gateway.catalog.find(resolved.requestedModel)?.maxOutputTokens;
  const maxTokens = limit ? Math.min(requested, limit) : requested;
  if (REASONING_MODEL.test(resolved.upstreamModel.split('/').pop() ?? '')) {
    delete chatRequest.max_tokens;
    chatRequest.max_completion_tokens = maxTokens;
  } else chatRequest.max_tokens = maxTokens;
};
