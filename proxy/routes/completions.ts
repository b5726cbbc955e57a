import type { Request, Response } from 'express';
import { GatewayError } from '../errors.js';
import type { GatewayContext } from '../server/gateway-context.js';
import { readJsonBody } from '../server/read-body.js';
import { usageFromOpenAI } from '../dialects/openai-chat/usage.js';
import { openAIAttribution } from '../dialects/openai-chat/attribution.js';
import { trackRequest } from '../usage/request-tracker.js';
import { beginModelCall } from '../pipeline/begin-call.js';
import { relayToOpenAI } from './relay.js';
import { modelOnlySchema, validate } from './validation.js';
import { callEndpoint } from '../usage/call-endpoint.js';

const COMPLETIONS_ENDPOINT = callEndpoint('/v1/completions', 'text_completion');

/** POST /v1/completions (legacy text completions; OpenAI-dialect providers only). */
export const completions = (gateway: GatewayContext) => async (request: Request, response: Response) => {
  const tracker = trackRequest(gateway, request, response, COMPLETIONS_ENDPOINT);
  const body = await readJsonBody(request, gateway.limits.jsonBytes);
  validate(modelOnlySchema, body);
  const stream = body.stream === true;
  tracker.attribute(openAIAttribution(body));
  const call = await beginModelCall(gateway, tracker, body.model, stream);
  if (!call.adapter.relays.has('openai-endpoints')) {
    throw GatewayError.invalidRequest(`Legacy completions are not offered by provider "${call.resolved.provider.id}"; use /v1/chat/completions.`, 'model', 'unsupported_endpoint');
  }
  const clientWantsUsage = (body.stream_options as { include_usage?: boolean } | undefined)?.include_usage === true;
  const upstreamBody: Record<string, unknown> = { ...body, model: call.resolved.upstreamModel };
  if (stream && call.resolved.provider.streamUsageOption) upstreamBody.stream_options = { ...(body.stream_options as object | undefined), include_usage: true };
  await relayToOpenAI({
    resolved: call.resolved,
    response,
    tracker,
    client: call.client,
    path: '/completions',
    body: JSON.stringify(upstreamBody),
    contentType: 'application/json',
    clientWantsUsage,
    observeJson: (answer) => {
      const usage = usageFromOpenAI((answer as { usage?: Parameters<typeof usageFromOpenAI>[0] }).usage);
      if (usage) tracker.usage(usage);
    },
  });
};
