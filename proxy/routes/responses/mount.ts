import type { Router } from 'express';
import { responsesErrors } from '../../dialects/openai-responses/errors.js';
import { errorExit } from '../../server/error-exit.js';
import { exactPath, type FastLane, type LaneHandler } from '../../server/fast-lane.js';
import type { GatewayContext } from '../../server/gateway-context.js';
import type { RouteMount } from '../../server/route-mount.js';
import { createResponse } from './create-response-route.js';
import { createResponsesState, type ResponsesState } from './responses-state.js';
import { deleteResponse, getResponse, listInputItems } from './stored-response-routes.js';

const madeStates = new WeakMap<GatewayContext, ResponsesState>();

/** The gateway's own state, else one made for it once, shared by its mount and its fast lane. */
const stateOf = (gateway: GatewayContext): ResponsesState => {
  if (gateway.responses) return gateway.responses;
  let state = madeStates.get(gateway);
  if (!state) madeStates.set(gateway, (state = createResponsesState()));
  return state;
};

/** OpenAI's Responses API inbound, under /v1 behind the same guards. The gateway's state for it
 * (stored responses, the sealing key) comes with the gateway, or is made here (in memory). */
export const responsesMount: RouteMount = (router: Router, gateway: GatewayContext) => {
  const state = stateOf(gateway);
  router.post('/responses', createResponse(gateway, state));
  router.get('/responses/:id', getResponse(state));
  router.delete('/responses/:id', deleteResponse(state));
  router.get('/responses/:id/input_items', listInputItems(state));
  router.use('/responses', errorExit(gateway, responsesErrors));
};

/** `POST /v1/responses` for the server's fast lane (server/fast-lane.ts): the same route, state and
 * error exit as the mount's, behind the given guards, without express. */
export const responsesFastLane = (gateway: GatewayContext, guards: readonly LaneHandler[]): FastLane => ({
  match: exactPath(RESPONSES_PATH),
  chain: [...guards, createResponse(gateway, stateOf(gateway))],
  onError: errorExit(gateway, responsesErrors),
});

const RESPONSES_PATH = '/v1/responses';
