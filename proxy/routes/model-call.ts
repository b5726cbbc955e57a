import type { Request, Response } from 'express';
import { adapterFor } from '../adapters/index.js';
import type { AdapterContext, ProviderAdapter } from '../adapters/types.js';
import type { ResolvedModel } from '../providers/registry.js';
import { resolveModel, type GatewayContext } from '../server/gateway-context.js';
import { clientGoneSignal, type RequestTracker } from '../usage/request-tracker.js';

export interface ModelCall {
  resolved: ResolvedModel;
  adapter: ProviderAdapter;
  signal: AbortSignal;
  context: AdapterContext;
  /** Masks keys in upstream text the gateway relays (an error event quoting the key). */
  redact: (text: string) => string;
}

/** Routing, the key check and the abort signal every model endpoint starts with. */
export const beginModelCall = (gateway: GatewayContext, response: Response, tracker: RequestTracker, model: unknown, stream = false): ModelCall => {
  const resolved = resolveModel(gateway, model);
  tracker.route(resolved, stream);
  gateway.registry.requireKey(resolved.provider);
  const signal = clientGoneSignal(response);
  return {
    resolved,
    adapter: adapterFor(resolved.provider.dialect),
    signal,
    context: { provider: resolved.provider, upstreamModel: resolved.upstreamModel, signal },
    redact: (text) => gateway.redactor.redact(text),
  };
};

export type RouteHandler = (request: Request, response: Response) => Promise<void>;
