import type { Express, Router } from 'express';
import { anthropicErrors } from '../../dialects/anthropic-messages/errors.js';
import { COUNT_TOKENS_OPERATION, MESSAGES_OPERATION, messagesPath } from '../../dialects/anthropic-messages/api.js';
import type { RouteMount } from '../../server/route-mount.js';
import { errorExit } from '../../server/error-exit.js';
import { exactPath, type FastLane, type LaneHandler } from '../../server/fast-lane.js';
import type { GatewayContext } from '../../server/gateway-context.js';
import { countTokens } from './count-tokens-route.js';
import { messages } from './messages-route.js';

const anthropicErrorExit = (gateway: GatewayContext) => errorExit(gateway, anthropicErrors);

/** The one error exit of /v1/messages, mounted on the app after all its routers: every error there
 * leaves in Anthropic's shape, whether the /v1 router's token guard or a route threw it (errors
 * leave a router that has no exit of its own), the Host or Origin guard refused the request before
 * any router, or no route matched. */
export const mountMessagesErrorExits = (app: Express, gateway: GatewayContext): void => {
  app.use(messagesPath(), anthropicErrorExit(gateway));
};

/** Anthropic Messages inbound, under /v1 behind the same guards. */
export const messagesMount: RouteMount = (router: Router, gateway: GatewayContext) => {
  router.post(MESSAGES_OPERATION, messages(gateway));
  router.post(COUNT_TOKENS_OPERATION, countTokens(gateway));
};

/** `POST /v1/messages` for the server's fast lane (server/fast-lane.ts): the same route and error
 * exit as the app's, behind the given guards, without express. */
export const messagesFastLane = (gateway: GatewayContext, guards: readonly LaneHandler[]): FastLane => ({
  match: exactPath(messagesPath()),
  chain: [...guards, messages(gateway)],
  onError: anthropicErrorExit(gateway),
});
