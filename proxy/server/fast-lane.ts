import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse as parseQuery } from 'node:querystring';
import type { Express, NextFunction, Request, Response } from 'express';

export type LaneHandler = (request: Request, response: Response, next: NextFunction) => unknown;
export type LaneErrorHandler = (error: unknown, request: Request, response: Response, next: NextFunction) => void;

/** A lane's route parameters, as express would have parsed them into `request.params`. */
export type LaneParams = Record<string, unknown>;

/** One model route served without express: which URL paths (the part before any query string) are
 * its own and their parameters, the guards and the route in order, and the error exit of its
 * dialect. */
export interface FastLane {
  match: (path: string) => LaneParams | undefined;
  chain: readonly LaneHandler[];
  onError: LaneErrorHandler;
}

const NO_PARAMS: LaneParams = Object.freeze({});

/** A lane whose route has one fixed path. */
export const exactPath = (lanePath: string) => (path: string): LaneParams | undefined => (path === lanePath ? NO_PARAMS : undefined);

/** The hot paths (`POST` to the model routes of every client dialect) without express. Express's own
 * work per request (it swaps the prototypes of the request and the response, which slows every
 * later call on them, and walks its router) measured about 0.14 ms of CPU per request on the bench
 * machine, more than a whole bare Node proxy costs. The same guards and the same route run here, in
 * the same order, and their errors reach the same error exit; every other request goes to express,
 * which mounts the same routes for the paths it serves. */
export const withFastLanes = (app: Express, lanes: readonly FastLane[]) => (incoming: IncomingMessage, outgoing: ServerResponse) => {
  if (incoming.method === 'POST') {
    const url = incoming.url ?? '';
    const queryStart = url.indexOf('?');
    const path = queryStart === -1 ? url : url.slice(0, queryStart);
    for (const lane of lanes) {
      const params = lane.match(path);
      if (!params) continue;
      const request = incoming as Request;
      // What express's router and its `simple` query parser (node:querystring) would have set.
      request.params = params as Request['params'];
      request.query = (queryStart === -1 ? {} : parseQuery(url.slice(queryStart + 1))) as Request['query'];
      runLane(lane, request, outgoing as Response);
      return;
    }
  }
  app(incoming, outgoing);
};

const runLane = ({ chain, onError }: FastLane, request: Request, response: Response): void => {
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
