import type { Router } from 'express';
import type { GatewayContext } from './gateway-context.js';

/** Extra routes mounted behind the same guards: under /v1 (Anthropic Messages inbound) or under
 * /modapi (the usage API). */
export type RouteMount = (router: Router, gateway: GatewayContext) => void;

export interface RouteMounts {
  v1?: RouteMount[];
  modapi?: RouteMount[];
}
