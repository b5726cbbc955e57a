import type { Response } from 'express';
import { GatewayError } from '../errors.js';
import type { ResolvedModel } from '../providers/registry.js';
import { resolveModel, type GatewayContext } from '../server/gateway-context.js';
import type { RequestTracker } from '../usage/request-tracker.js';

/** Failures another model may not share: rate limits, timeouts, server and connection errors.
 * A request the upstream found invalid (other 4xx) would fail everywhere, so it does not fall back. */
export const fallbackWorthy = (error: unknown): boolean => error instanceof GatewayError && (error.status === 408 || error.status === 429 || error.status >= 500);

/** The fallback models of a request, resolved; ids that do not resolve, have no key, or that the
 * token may not use are left out. */
export const fallbackCandidates = (gateway: GatewayContext, tracker: RequestTracker, first: ResolvedModel): ResolvedModel[] => {
  const candidates: ResolvedModel[] = [];
  for (const id of gateway.fallbacks?.[first.requestedModel] ?? []) {
    try {
      const candidate = resolveModel(gateway, id);
      gateway.registry.requireKey(candidate.provider);
      if (tracker.mayUse(candidate)) candidates.push(candidate);
      else gateway.log.warn(`fallback ${id} skipped: not allowed for this token`);
    } catch {
      gateway.log.warn(`fallback ${id} skipped: no such model or no key for its provider`);
    }
  }
  return candidates;
};

/** The models to try in turn: the requested one, then its fallbacks (none built when it has none). */
export const fallbackChain = (gateway: GatewayContext, tracker: RequestTracker, first: ResolvedModel): ResolvedModel[] =>
  gateway.fallbacks?.[first.requestedModel] ? [first, ...fallbackCandidates(gateway, tracker, first)] : [first];

/** Whether the next model takes over: only while nothing has reached the consumer, and only for a
 * failure another model may not share. Logged once, the same way for every lane. */
export const fallsBack = (gateway: GatewayContext, failed: ResolvedModel, error: unknown, next: ResolvedModel | undefined, reachedConsumer: boolean): next is ResolvedModel => {
  if (!next || reachedConsumer || !fallbackWorthy(error)) return false;
  gateway.log.warn(`fallback: ${failed.requestedModel} failed with HTTP ${(error as GatewayError).status}; trying ${next.requestedModel}`);
  return true;
};

/** Serves an HTTP request with its model, and with the configured fallbacks in turn while the
 * failure is fallback-worthy and nothing has been sent to the client yet. The tracker learns which
 * model served, so the ledger and the x-modapi-* headers name it. */
export const serveWithFallbacks = async (
  gateway: GatewayContext,
  tracker: RequestTracker,
  response: Response,
  first: ResolvedModel,
  serve: (resolved: ResolvedModel) => Promise<void>,
): Promise<void> => {
  if (!gateway.fallbacks?.[first.requestedModel]) {
    tracker.servedBy(first);
    return serve(first);
  }
  const chain = fallbackChain(gateway, tracker, first);
  for (const [index, candidate] of chain.entries()) {
    tracker.servedBy(candidate);
    try {
      await serve(candidate);
      return;
    } catch (error) {
      if (!fallsBack(gateway, candidate, error, chain[index + 1], response.headersSent || response.destroyed)) throw error;
    }
  }
};
