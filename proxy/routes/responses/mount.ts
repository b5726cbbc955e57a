import type { Router } from 'express';
import { responsesErrors } from '../../dialects/openai-responses/errors.js';
import { errorExit } from '../../server/error-exit.js';
import type { GatewayContext } from '../../server/gateway-context.js';
import type { RouteMount } from '../../server/route-mount.js';
import { createResponse } from './create-response-route.js';
import { createResponsesState } from './responses-state.js';
import { deleteResponse, getResponse, listInputItems } from './stored-response-routes.js';

/** OpenAI's Responses API inbound, under /v1 behind the same guards. The gateway's state for it
 * (stored responses, the sealing key) comes with the gateway, or is made here (in memory). */
export const responsesMount: RouteMount = (router: Router, gateway: GatewayContext) => {
  const state = gateway.responses ?? createResponsesState();
  router.post('/responses', createResponse(gateway, state));
  router.get('/responses/:id', getResponse(state));
  router.delete('/responses/:id', deleteResponse(state));
  router.get('/responses/:id/input_items', listInputItems(state));
  router.use('/responses', errorExit(gateway, responsesErrors));
};
