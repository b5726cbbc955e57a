import type { NextFunction, Request, Response, Router } from 'express';
import { toGatewayError } from '../../errors.js';
import type { RouteMount } from '../../server/create-app.js';
import type { GatewayContext } from '../../server/gateway-context.js';
import type { RequestTracker } from '../../usage/request-tracker.js';
import { sendAnthropicError } from '../../dialects/anthropic-messages/errors.js';
import { countTokens } from './count-tokens-route.js';
import { messages } from './messages-route.js';

/** Every error on the Anthropic routes, the local token guard's 401 included (it runs earlier in the
 * same router), leaves in Anthropic's shape; the global handler would give OpenAI's. The app
 * mounts it too, for what refuses a request before the router (Host, Origin) or finds no route. */
export const anthropicErrorHandler = (gateway: GatewayContext) => (thrown: unknown, _request: Request, response: Response, _next: NextFunction) => {
  const error = toGatewayError(thrown);
  const tracker = response.locals.tracker as RequestTracker | undefined;
  tracker?.failed(error);
  if (error.status >= 500 && error.cause) gateway.log.warn(`request failed: ${error.message} (${(error.cause as Error).message ?? String(error.cause)})`);
  sendAnthropicError(response, error, { requestId: tracker?.requestId, redact: (text) => gateway.redactor.redact(text) });
};

/** Anthropic Messages inbound, under /v1 behind the same guards. */
export const messagesMount: RouteMount = (router: Router, gateway: GatewayContext) => {
  router.post('/messages', messages(gateway));
  router.post('/messages/count_tokens', countTokens(gateway));
  router.use('/messages', anthropicErrorHandler(gateway));
};
