import type { Request, Response } from 'express';
import { forwardToOpenAI } from '../../adapters/openai-compatible/forward.js';
import { namedAsAsked } from '../../dialects/openai-responses/relay-observer.js';
import { GatewayError } from '../../errors.js';
import { clientGoneSignal } from '../../usage/request-tracker.js';
import type { RelayedResponse } from './relayed-responses.js';

/** GET or DELETE of a response a provider keeps (`/responses/{id}` and below, the client's query
 * string kept), asked of that provider with the gateway's key. Its answer goes back as it came, a
 * response object naming the model as the client did; a refusal keeps its status. */
export const askProvider = async (relayed: RelayedResponse, method: 'GET' | 'DELETE', path: string, request: Request, response: Response): Promise<void> => {
  const query = request.url.indexOf('?');
  const upstream = await forwardToOpenAI(relayed.provider, { method, path: query === -1 ? path : path + request.url.slice(query), signal: clientGoneSignal(response) });
  const text = await upstream.body.text();
  let answer: { object?: unknown; model?: unknown };
  try {
    answer = JSON.parse(text);
  } catch {
    throw GatewayError.badUpstreamBody(relayed.provider.id, 'a body that is not JSON');
  }
  if (answer?.object === 'response') namedAsAsked(answer, relayed.model);
  response.status(200).json(answer);
};
