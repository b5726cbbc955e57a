import type { Response } from 'express';
import { adapterFor } from '../../adapters/index.js';
import { dispatchToOpenAI } from '../../adapters/openai-compatible/forward.js';
import { ResponsesRelayObserver, namedAsAsked } from '../../dialects/openai-responses/relay-observer.js';
import { usageFromResponses } from '../../dialects/openai-responses/usage.js';
import type { ResponsesRequest } from '../../dialects/openai-responses/wire-types.js';
import { GatewayError } from '../../errors.js';
import type { ResolvedModel } from '../../providers/registry.js';
import type { ProviderConfig } from '../../providers/types.js';
import type { OpenedUpstream } from '../../upstream/open-upstream.js';
import { readOkJsonAnswer } from '../../upstream/upstream-error.js';
import type { RequestTracker } from '../../usage/request-tracker.js';
import { relayEventStream } from '../relay-event-stream.js';
import type { ResponsesState } from './responses-state.js';

/** Whether `/v1/responses` goes to this provider as it is: its adapter can relay the Responses API
 * and its host serves it (OpenAI's own API does; most compatible hosts do not: presets.ts). */
export const relaysResponses = (provider: ProviderConfig): boolean => provider.responsesApi === true && adapterFor(provider.dialect).relays.has('openai-responses');

export interface ResponsesRelayArguments {
  body: ResponsesRequest;
  resolved: ResolvedModel;
  response: Response;
  tracker: RequestTracker;
  servedHeaders: Record<string, string>;
  state: ResponsesState;
  /** The local token's name: whose stored responses the gateway looks at. */
  owner: string;
  /** Masks known secrets in an upstream's error events. */
  redact: (text: string) => string;
}

/** The upstream keeps the conversations it serves (previous_response_id, GET by id); the gateway's
 * own stored responses exist only for translated models. A chain the gateway stored cannot be
 * continued by a host that never saw it: refused, with what to do instead, before anything is sent. */
const refuseGatewayChain = ({ body, state, owner, resolved }: ResponsesRelayArguments): void => {
  const previous = body.previous_response_id;
  if (!previous || !state.store?.holds(previous, owner)) return;
  throw GatewayError.invalidRequest(
    `The response '${previous}' was made by the gateway for a model it translates; provider "${resolved.provider.id}" keeps its own conversations and cannot continue it. Send the earlier turns as input instead.`,
    'previous_response_id',
    'previous_response_not_found',
  );
};

/** The relay lane: a Responses client, a provider that serves Responses. The client's body goes
 * upstream with only the model id changed (built-in tools, `store`, `previous_response_id`,
 * `include` and items the gateway cannot translate all pass); the answer comes back event by event. */
export const relayResponses = async (options: ResponsesRelayArguments): Promise<void> => {
  refuseGatewayChain(options);
  const { provider, upstreamModel } = options.resolved;
  const stream = options.body.stream === true;
  const upstream = await dispatchToOpenAI(provider, {
    path: '/responses',
    body: JSON.stringify({ ...options.body, model: upstreamModel }),
    contentType: 'application/json',
    accept: stream ? 'text/event-stream' : 'application/json',
    client: options.tracker,
  });
  if (!/text\/event-stream/i.test(String(upstream.headers['content-type'] ?? ''))) {
    rememberRelayed(options, await relayWhole(upstream, options));
    return;
  }
  const observer = new ResponsesRelayObserver(provider.id, options.resolved.requestedModel, options.redact);
  try {
    await relayEventStream(upstream, observer, { response: options.response, tracker: options.tracker, providerId: provider.id, servedHeaders: options.servedHeaders });
  } finally {
    rememberRelayed(options, observer.responseId);
  }
};

/** A response the provider keeps (store on, or a background one) is found again by its id. */
const rememberRelayed = ({ body, state, owner, resolved }: ResponsesRelayArguments, id: string | undefined): void => {
  if (id && (body.store !== false || body.background === true)) state.relayed.remember(id, { owner, provider: resolved.provider, model: resolved.requestedModel });
};

/** A whole response object (also what a host answers a stream request with, when it does): read
 * for usage and errors, and given back naming the client's model. Says the response's id. */
const relayWhole = async (upstream: OpenedUpstream, options: ResponsesRelayArguments): Promise<string | undefined> => {
  const { tracker, resolved } = options;
  const { answer } = await readOkJsonAnswer<{ id?: unknown; model?: unknown; usage?: Parameters<typeof usageFromResponses>[0] }>(upstream, resolved.provider.id);
  tracker.firstToken();
  const usage = usageFromResponses(answer?.usage);
  if (usage) tracker.usage(usage);
  if (answer && typeof answer === 'object') namedAsAsked(answer, resolved.requestedModel);
  options.response.writeHead(200, { 'content-type': 'application/json', ...options.servedHeaders });
  options.response.end(JSON.stringify(answer));
  return typeof answer?.id === 'string' ? answer.id : undefined;
};
