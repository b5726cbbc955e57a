import type { NextFunction, Request, Response } from 'express';
import { GatewayError } from '../errors.js';
import { mayBeCapped } from '../governance/budgets.js';
import type { Requester } from '../governance/governance.js';
import type { GatewayContext } from '../server/gateway-context.js';
import type { LocalClient } from '../server/local-tokens.js';

/** Budgets compare a cap with the current day's and month's rollups. While the ledger is still
 * reading the newest month at start, those rollups are short, so a request under a cap waits for
 * them (admitting it on a partial sum could overspend); a request under no cap goes ahead at once.
 * Undefined when there is nothing to wait for (always, once the start is over). */
export const budgetPeriodsCounted = (gateway: GatewayContext, requester: Requester): Promise<void> | undefined => {
  const pending = gateway.ledger?.budgetPeriodsCounted();
  if (!pending || !gateway.governance) return undefined;
  if (!mayBeCapped(gateway.governance.overallBudget, requester.name, requester.policy)) return undefined;
  return pending.catch((error: unknown) => {
    throw new GatewayError(503, 'Budgets cannot be checked: the usage ledger could not be read. See the gateway log.', { type: 'api_error', code: 'ledger_unavailable', cause: error });
  });
};

/** The same wait for HTTP requests, after the token guard has named the client. */
export const budgetGate =
  (gateway: GatewayContext) =>
  (_request: Request, response: Response, next: NextFunction): void => {
    const client = (response.locals as { client?: LocalClient }).client;
    const pending = client && budgetPeriodsCounted(gateway, client);
    if (!pending) {
      next();
      return;
    }
    pending.then(() => next(), next);
  };
