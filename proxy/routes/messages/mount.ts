import type { Express, Router } from 'express';
import { anthropicErrors } from '../../dialects/anthropic-messages/errors.js';
import type { RouteMount } from '../../server/route-mount.js';
import { errorExit } from '../../server/error-exit.js';
import { exactPath, type FastLane, type LaneHandler } from '../../server/fast-lane.js';
import type { GatewayContext } from '../../server/gateway-context.js';
import { countTokens } from './count-tokens-route.js';
import { messages, MESSAGES_ENDPOINT } from './messages-route.js';

/** Every error on the Anthropic routes, the local token guard's 401 included (it runs earlier in the
 * same router), leaves in Anthropic's shape; the app mounts the same exit for what refuses a request
 * before the router (Host, Origin) or finds no route under /v1/messages. */
export const anthropicErrorExit = (gateway: GatewayContext) => errorExit(gateway, anthropicErrors);

/** The app's error exit for /v1/messages, after all its routers: Anthropic clients get Anthropic's
 * shape even when the Host or Origin guard refused them, or no route matched. */
export const mountMessagesErrorExits = (app: Express, gateway: GatewayContext): void => {
  app.use(MESSAGES_ENDPOINT.label, anthropicErrorExit(gateway));
};

/** Anthropic Messages inbound, under /v1 behind the same guards. */
export const messagesMount: RouteMount = (router: Router, gateway: GatewayContext) => {
  router.post('/messages', messages(gateway));
  router.post('/messages/count_tokens', countTokens(gateway));
  router.use('/messages', anthropicErrorExit(gateway));
};

/** `POST /v1/messages` for the server's fast lane (server/fast-lane.ts): the same route and error
 * exit as the mount's, behind the given guards, without express. */
export const messagesFastLane = (gateway: GatewayContext, guards: readonly LaneHandler[]): FastLane => ({
  match: exactPath(MESSAGES_ENDPOINT.label),
  chain: [...guards, messages(gateway)],
  onError: anthropicErrorExit(gateway),
});
