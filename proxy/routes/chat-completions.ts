import type { Request, Response } from 'express';
import { adapterFor } from '../adapters/index.js';
import { serveWithFallbacks } from '../pipeline/fallbacks.js';
import { admitModel } from '../pipeline/begin-call.js';
import type { GatewayContext } from '../server/gateway-context.js';
import { readRawBody } from '../server/read-body.js';
import { openAIAttribution } from '../dialects/openai-chat/attribution.js';
import { trackRequest } from '../usage/request-tracker.js';
import { passthroughChat } from './chat-passthrough.js';
import { respondTranslated } from './chat-translated.js';
import { readChatRequest } from './chat-request.js';
import { servedHeaders } from './served-headers.js';
import { openAIErrors } from '../dialects/openai-chat/errors.js';
import { errorExit } from '../server/error-exit.js';
import { exactPath, type FastLane, type LaneHandler } from '../server/fast-lane.js';
import { CHAT_ENDPOINT } from '../core/run-chat.js';

/** POST /v1/chat/completions */
export const chatCompletions = (gateway: GatewayContext) => async (request: Request, response: Response) => {
  const tracker = trackRequest(gateway, request, response, CHAT_ENDPOINT);
  const chat = readChatRequest(await readRawBody(request, gateway.limits.jsonBytes));
  const stream = chat.head.stream === true;
  tracker.attribute(openAIAttribution(chat.head));
  // No AbortSignal is made up front: the fast lane watches its client through the tracker.
  const resolved = await admitModel(gateway, tracker, chat.head.model, stream);
  // The configured fallbacks take over while nothing has reached the client (governance/fallbacks.ts).
  await serveWithFallbacks(gateway, tracker, response, resolved, async (served) => {
    gateway.registry.requireKey(served.provider);
    const headers = servedHeaders(served);
    const adapter = adapterFor(served.provider.dialect);
    if (adapter.relays.has('openai-chat')) {
      await passthroughChat({ chat, resolved: served, response, tracker, servedHeaders: headers, redact: (text) => gateway.redactor.redact(text) });
      return;
    }
    await respondTranslated({
      parts: adapter.chat({ ...chat.whole(), stream }, { provider: served.provider, upstreamModel: served.upstreamModel, client: tracker }),
      stream,
      includeUsage: chat.head.stream_options?.include_usage === true,
      clientModel: served.requestedModel,
      response,
      tracker,
      servedHeaders: headers,
    });
  });
};

/** `POST /v1/chat/completions` for the server's fast lane (server/fast-lane.ts): the same route
 * and error exit as the app's, behind the given guards, without express. */
export const chatFastLane = (gateway: GatewayContext, guards: readonly LaneHandler[]): FastLane => ({
  match: exactPath(CHAT_ENDPOINT.label),
  chain: [...guards, chatCompletions(gateway)],
  onError: errorExit(gateway, openAIErrors),
});
