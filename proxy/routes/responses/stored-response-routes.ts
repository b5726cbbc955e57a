import type { Request, Response } from 'express';
import { GatewayError } from '../../errors.js';
import type { ResponsesObject } from '../../dialects/openai-responses/wire-types.js';
import { requesterOf } from '../../usage/request-tracker.js';
import type { ResponseStore, StoredResponse } from './response-store.js';
import { askProvider } from './relayed-response-reads.js';
import type { RelayedResponse } from './relayed-responses.js';
import type { ResponsesState } from './responses-state.js';

const storeOf = (state: ResponsesState): ResponseStore => {
  if (!state.store) throw GatewayError.notFound('This gateway keeps no responses (storage is turned off).');
  return state.store;
};

const storedFor = (state: ResponsesState, request: Request, response: Response): StoredResponse =>
  storeOf(state).get(String(request.params.id), requesterOf(response).name);

/** The stored response as a client reads it back: sealed reasoning only when asked for, as on create. */
const clientView = (stored: ResponsesObject, include: unknown): ResponsesObject => {
  const asked = [include].flat().includes('reasoning.encrypted_content');
  const view = structuredClone(stored);
  if (!asked) for (const item of view.output) if (item.type === 'reasoning') delete item.encrypted_content;
  return view;
};

/** The token's response that a provider keeps (relayed to it), if this id is one. */
const relayedFor = (state: ResponsesState, request: Request, response: Response): RelayedResponse | undefined => state.relayed.lookup(String(request.params.id), requesterOf(response).name);

const providerPath = (request: Request, below = ''): string => `/responses/${encodeURIComponent(String(request.params.id))}${below}`;

/** GET /v1/responses/{id}: a stored one, or the provider's when the gateway relayed it there. */
export const getResponse = (state: ResponsesState) => async (request: Request, response: Response) => {
  const relayed = relayedFor(state, request, response);
  if (relayed) return askProvider(relayed, 'GET', providerPath(request), request, response);
  response.json(clientView(storedFor(state, request, response).response, request.query['include[]'] ?? request.query.include));
};

/** DELETE /v1/responses/{id} */
export const deleteResponse = (state: ResponsesState) => async (request: Request, response: Response) => {
  const id = String(request.params.id);
  const relayed = relayedFor(state, request, response);
  if (relayed) {
    await askProvider(relayed, 'DELETE', providerPath(request), request, response);
    state.relayed.forget(id);
    return;
  }
  storeOf(state).delete(id, requesterOf(response).name);
  response.json({ id, object: 'response', deleted: true });
};

/** GET /v1/responses/{id}/input_items: this request's input (not the chain before it), newest first
 * unless `order=asc`, each with an id (made from the response's when the client gave none). */
export const listInputItems = (state: ResponsesState) => async (request: Request, response: Response) => {
  const relayed = relayedFor(state, request, response);
  if (relayed) return askProvider(relayed, 'GET', providerPath(request, '/input_items'), request, response);
  const stored = storedFor(state, request, response);
  const items = stored.input.map((item, index) => ({ ...(item.type === undefined ? { type: 'message' } : {}), ...item, id: ('id' in item && item.id) || `${stored.response.id.replace(/^resp_/, 'in_')}_${index}` }));
  if (request.query.order !== 'asc') items.reverse();
  response.json({ object: 'list', data: items, first_id: items[0]?.id ?? null, last_id: items.at(-1)?.id ?? null, has_more: false });
};
