import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Express, NextFunction, Request, Response } from 'express';

export type LaneHandler = (request: Request, response: Response, next: NextFunction) => unknown;
export type LaneErrorHandler = (error: unknown, request: Request, response: Response, next: NextFunction) => void;

/** One model route served without express: its path (with or without a query string), the guards
 * and the route in order, and the error exit of its dialect. */
export interface FastLane {
  path: string;
  chain: readonly LaneHandler[];
  onError: LaneErrorHandler;
}

/** The hot paths (`POST /v1/chat/completions`, `POST /v1/messages`) without express. Express's own
 * work per request (it swaps the prototypes of the request and the response, which slows every
 * later call on them, and walks its router) measured about 0.14 ms of CPU per request on the bench
 * machine, more than a whole bare Node proxy costs. The same guards and the same route run here, in
 * the same order, and their errors reach the same error exit; every other request goes to express,
 * which mounts the same routes for the paths it serves. */
export const withFastLanes = (app: Express, lanes: readonly FastLane[]) => (incoming: IncomingMessage, outgoing: ServerResponse) => {
  const lane = incoming.method === 'POST' ? laneFor(lanes, incoming.url ?? '') : undefined;
  if (!lane) {
    app(incoming, outgoing);
    return;
  }
  runLane(lane, incoming as Request, outgoing as Response);
};

const laneFor = (lanes: readonly FastLane[], url: string): FastLane | undefined => {
  for (const lane of lanes) {
    if (!url.startsWith(lane.path)) continue;
    if (url.length === lane.path.length || url.charCodeAt(lane.path.length) === QUESTION_MARK) return lane;
  }
  return undefined;
};

const QUESTION_MARK = 0x3f;

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
