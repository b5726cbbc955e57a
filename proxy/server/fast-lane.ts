import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Express, NextFunction, Request, Response } from 'express';

export type LaneHandler = (request: Request, response: Response, next: NextFunction) => unknown;
export type LaneErrorHandler = (error: unknown, request: Request, response: Response, next: NextFunction) => void;

/** `POST /v1/chat/completions`, the hot path, without express. Express's own work per request (it
 * swaps the prototypes of the request and the response, which slows every later call on them, and
 * walks its router) measured about 0.14 ms of CPU per request on the bench machine, more than a
 * whole bare Node proxy costs. The same guards and the same route run here, in the same order, and
 * their errors reach the same error handler; every other request goes to express. */
export const withFastLane = (app: Express, chain: readonly LaneHandler[], onError: LaneErrorHandler) => (incoming: IncomingMessage, outgoing: ServerResponse) => {
  if (incoming.method !== 'POST' || incoming.url !== '/v1/chat/completions') {
    app(incoming, outgoing);
    return;
  }
  const request = incoming as Request;
  const response = outgoing as Response;
  response.locals = {};
  const fail = (error: unknown) => {
    try {
      onError(error, request, response, ignore);
    } catch {
      // Express's router would swallow this; here it would be an unhandled rejection ending the process.
      response.destroy();
    }
  };
  const run = (index: number): void => {
    const handler = chain[index];
    if (!handler) return;
    let called = false;
    const next: NextFunction = (error?: unknown) => {
      if (called) return;
      called = true;
      if (error !== undefined && error !== 'route' && error !== 'router') fail(error);
      else run(index + 1);
    };
    try {
      const result = handler(request, response, next) as Promise<unknown> | undefined;
      if (result && typeof result.then === 'function') result.then(undefined, fail);
    } catch (error) {
      fail(error);
    }
  };
  run(0);
};

const ignore: NextFunction = () => undefined;
