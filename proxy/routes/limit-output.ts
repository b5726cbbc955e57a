import type { ChatRequest } from '../adapters/types.js';
import type { ResolvedModel } from '../providers/registry.js';
import type { GatewayContext } from '../server/gateway-context.js';

/** OpenAI's reasoning models refuse `max_tokens` and want `max_completion_tokens`. */
const REASONING_MODEL = /^(o\d|gpt-5)/i;

/** The upstream's own model id, without a host's `vendor/` prefix. */
const upstreamName = (resolved: ResolvedModel): string => resolved.upstreamModel.split('/').pop() ?? '';

/** Anthropic clients ask for as much output as Claude allows (Claude Code: 32000), Responses
 * clients often as much as OpenAI's models allow; another model refuses more than its own limit
 * with a 400, so a translated request is held to the catalog's limit. */
export const limitOutput = (gateway: GatewayContext, resolved: ResolvedModel, chatRequest: ChatRequest): void => {
  const requested = chatRequest.max_tokens;
  if (requested === undefined) return;
  const limit = gateway.catalog.find(resolved.requestedModel)?.maxOutputTokens;
  const maxTokens = limit ? Math.min(requested, limit) : requested;
  if (REASONING_MODEL.test(upstreamName(resolved))) {
    delete chatRequest.max_tokens;
    chatRequest.max_completion_tokens = maxTokens;
  } else chatRequest.max_tokens = maxTokens;
};

/** OpenAI's reasoning models take only the default (1) temperature and top_p, and refuse any other
 * value with a 400; Gemini CLI (0.61, its default model configs) sends topP 0.95 on its chat calls
 * and temperature 0 on its utility calls, and other clients their own. A translated request to one of them goes without a value it would refuse. */
export const fitSampling = (gateway: GatewayContext, resolved: ResolvedModel, chatRequest: ChatRequest): void => {
  const model = upstreamName(resolved);
  // gpt-5-chat-latest is a chat model: it takes a temperature.
  if (!REASONING_MODEL.test(model) || /-chat\b/.test(model)) return;
  const dropped = (['temperature', 'top_p'] as const).filter((name) => chatRequest[name] !== undefined && chatRequest[name] !== null && chatRequest[name] !== 1);
  for (const name of dropped) delete chatRequest[name];
  if (dropped.length > 0) gateway.log.info(`${resolved.requestedModel} takes only the default ${dropped.join(' and ')}; left out of the request`);
};
