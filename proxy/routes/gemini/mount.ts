import express, { type Express, type NextFunction, type Request, type Response, type Router } from 'express';
import { GEMINI_METHODS, sentGoogleKeyHeader, splitModelMethod } from '../../dialects/gemini/api.js';
import { geminiErrors } from '../../dialects/gemini/errors.js';
import { GatewayError } from '../../errors.js';
import { errorExit } from '../../server/error-exit.js';
import type { FastLane, LaneHandler, LaneParams } from '../../server/fast-lane.js';
import type { GatewayContext } from '../../server/gateway-context.js';
import { tokenGuard, type SecurityOptions } from '../../server/security.js';
import { GEMINI_ROUTE_TOKEN_PLACES } from '../../server/token-places.js';
import { budgetGate } from '../../usage/budget-gate.js';
import { countTokens } from './count-tokens-route.js';
import { embedContent } from './embed-route.js';
import { generateContent } from './generate-route.js';
import { getGeminiModel, listGeminiModels } from './models-route.js';

type MethodHandler = (request: Request, response: Response, model: string) => Promise<void>;

/** The model and method of `models/{model}:{method}`. The model may hold slashes, plainly
 * (`models/anthropic/claude-sonnet-4-5:generateContent`, as Google's SDK sends it) or encoded
 * (`models/anthropic%2Fclaude-sonnet-4-5:...`); express decodes each segment, so both join to the
 * same id. The method follows the last colon (an Ollama tag `llama3.2:3b` keeps its own). */
export const modelPathOf = (request: Request): string => {
  const rest = request.params.rest as unknown as string[] | string;
  return Array.isArray(rest) ? rest.join('/') : String(rest);
};

const generateHandlers = (gateway: GatewayContext): Record<string, MethodHandler> => ({
  [GEMINI_METHODS.generate]: generateContent(gateway, false),
  [GEMINI_METHODS.stream]: generateContent(gateway, true),
});

const methodHandlers = (gateway: GatewayContext): Record<string, MethodHandler> => ({
  ...generateHandlers(gateway),
  [GEMINI_METHODS.countTokens]: countTokens(gateway),
  [GEMINI_METHODS.embed]: embedContent(gateway, false),
  [GEMINI_METHODS.batchEmbed]: embedContent(gateway, true),
});

/** POST models/{model}:{method} to its handler; an unknown method is Google's 404. */
const dispatch = (handlers: Record<string, MethodHandler>) => async (request: Request, response: Response) => {
  const call = splitModelMethod(modelPathOf(request));
  const handler = call && Object.hasOwn(handlers, call.method) ? handlers[call.method] : undefined;
  if (!call || !handler) throw GatewayError.notFound(`Unknown Gemini method in ${request.path.slice(0, 200)}.`);
  await handler(request, response, call.model);
};

/** Every error on the Gemini paths, the token guard's 401 included, leaves in Google's shape. */
export const geminiErrorExit = (gateway: GatewayContext) => errorExit(gateway, geminiErrors);

/** The Gemini API inbound under /v1beta: its own token places (x-goog-api-key, ?key=), the same
 * budget gate, and Google's error shape for everything under it (an unknown path included). */
const v1betaRouter = (gateway: GatewayContext, security: SecurityOptions): Router => {
  const router = express.Router();
  router.use(tokenGuard(security, GEMINI_ROUTE_TOKEN_PLACES));
  router.use(budgetGate(gateway));
  router.get('/models', listGeminiModels(gateway));
  router.get('/models/*rest', (request, response) => getGeminiModel(gateway)(request, response, modelPathOf(request)));
  router.post('/models/*rest', dispatch(methodHandlers(gateway)));
  router.use((request: Request, _response: Response, next: NextFunction) => next(GatewayError.notFound(`Unknown endpoint ${request.method} /v1beta${request.path.slice(0, 200)}.`)));
  router.use(geminiErrorExit(gateway));
  return router;
};

/** Google's SDK (apiVersion v1, its default since 1.x) posts `/v1/models/{model}:{method}`: that
 * shape (POST, a known Gemini method after the last colon) is taken here. Its `GET /v1/models` and
 * `/v1/models/{model}` share OpenAI's paths; they are told apart by Google's own credential header
 * `x-goog-api-key`, which no OpenAI client sends. Everything else under /v1 stays OpenAI's. */
const v1Router = (gateway: GatewayContext, security: SecurityOptions): Router => {
  const handlers = methodHandlers(gateway);
  const router = express.Router();
  const googleOnly = [tokenGuard(security, GEMINI_ROUTE_TOKEN_PLACES), budgetGate(gateway)];
  const whenGoogleKey = (request: Request, _response: Response, next: NextFunction) => next(sentGoogleKeyHeader(request.headers) ? undefined : 'router');
  const whenGeminiMethod = (request: Request, _response: Response, next: NextFunction) => {
    const method = splitModelMethod(modelPathOf(request))?.method;
    next(method && Object.hasOwn(handlers, method) ? undefined : 'router');
  };
  router.get('/models', whenGoogleKey, ...googleOnly, listGeminiModels(gateway));
  router.get('/models/*rest', whenGoogleKey, ...googleOnly, (request, response) => getGeminiModel(gateway)(request, response, modelPathOf(request)));
  router.post('/models/*rest', whenGeminiMethod, ...googleOnly, dispatch(handlers));
  router.use(geminiErrorExit(gateway));
  return router;
};

/** The app's error exits for the Gemini paths, after all its routers: everything under /v1beta, and
 * a Gemini method call under /v1 refused before its router (by the Host or Origin guard). */
export const mountGeminiErrorExits = (app: Express, gateway: GatewayContext): void => {
  const exit = geminiErrorExit(gateway);
  const isMethodCall = modelCallPath(methodHandlers(gateway));
  app.use('/v1beta', exit);
  app.use('/v1/models', (error: unknown, request: Request, response: Response, next: NextFunction) => {
    if (isMethodCall(`/v1/models${request.path}`)) exit(error, request, response, next);
    else next(error);
  });
};

/** Mounts the Gemini API inbound on the app, before the OpenAI /v1 router. */
export const mountGemini = (app: Express, gateway: GatewayContext, security: SecurityOptions): void => {
  app.use('/v1beta', v1betaRouter(gateway, security));
  app.use('/v1', v1Router(gateway, security));
};

const MODEL_PATHS = ['/v1beta/models/', '/v1/models/'];

/** `models/{model}:{method}` under either prefix, for a method in `handlers`: the segments after
 * `models/` decoded one by one, as express's `*rest` gives them. */
const modelCallPath = (methods: Record<string, unknown>) => (path: string): LaneParams | undefined => {
  const prefix = MODEL_PATHS.find((candidate) => path.startsWith(candidate));
  if (!prefix || path.length === prefix.length) return undefined;
  let segments: string[];
  try {
    segments = path.slice(prefix.length).split('/').map(decodeURIComponent);
  } catch {
    return undefined; // express answers a path it cannot decode
  }
  const method = splitModelMethod(segments.join('/'))?.method;
  return method && Object.hasOwn(methods, method) ? { rest: segments } : undefined;
};

/** generateContent and streamGenerateContent under /v1beta and /v1 for the server's fast lane
 * (server/fast-lane.ts), behind the given host and origin guards and the same token guard, budget
 * gate, routes and error exit as the routers'. The other methods answer with express's helpers. */
export const geminiFastLane = (gateway: GatewayContext, security: SecurityOptions, guards: readonly LaneHandler[]): FastLane => {
  const handlers = generateHandlers(gateway);
  return {
    match: modelCallPath(handlers),
    chain: [...guards, tokenGuard(security, GEMINI_ROUTE_TOKEN_PLACES), budgetGate(gateway), dispatch(handlers)],
    onError: geminiErrorExit(gateway),
  };
};
