import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import { chatCompletions, chatFastLane } from '../routes/chat-completions.js';
import { completions } from '../routes/completions.js';
import { embeddings } from '../routes/embeddings.js';
import { imageEdits, imageGenerations } from '../routes/images.js';
import { speech, transcription } from '../routes/audio.js';
import { createVideo, videoJob } from '../routes/videos.js';
import { getModel, listModels } from '../routes/models.js';
import { messagesFastLane, messagesMount, mountMessagesErrorExits } from '../routes/messages/mount.js';
import { geminiFastLane, mountGemini, mountGeminiErrorExits } from '../routes/gemini/mount.js';
import { responsesFastLane, responsesMount } from '../routes/responses/mount.js';
import { openAIErrors } from '../dialects/openai-chat/errors.js';
import { GatewayError } from '../errors.js';
import { EMBEDDED_STATE } from '../store/store-seam.js';
import { budgetGate } from '../usage/budget-gate.js';
import { errorExit } from './error-exit.js';
import { withFastLanes } from './fast-lane.js';
import type { GatewayContext } from './gateway-context.js';
import type { RouteMounts } from './route-mount.js';
import { hostGuard, originGuard, tokenGuard, type SecurityOptions } from './security.js';
import { GATEWAY_TOKEN_PLACES } from './token-places.js';

export const GATEWAY_VERSION = '0.1.0';

/** The server's request listener: the fast lanes of the model routes of every client dialect
 * (server/fast-lane.ts) with the same guards (and budget gate), routes and error exits as the
 * express app, which serves everything else. */
export const createRequestListener = (gateway: GatewayContext, security: SecurityOptions, mounts: RouteMounts = {}) => {
  const browserGuards = [hostGuard(security), originGuard(security)];
  const guards = [...browserGuards, tokenGuard(security, GATEWAY_TOKEN_PLACES), budgetGate(gateway)];
  return withFastLanes(createApp(gateway, security, mounts), [
    chatFastLane(gateway, guards),
    messagesFastLane(gateway, guards),
    responsesFastLane(gateway, guards),
    geminiFastLane(gateway, security, browserGuards),
  ]);
};

export const createApp = (gateway: GatewayContext, security: SecurityOptions, mounts: RouteMounts = {}): Express => {
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  app.set('query parser', 'simple');
  app.use(hostGuard(security));
  app.use(originGuard(security));
  app.get('/health', (_request, response) => {
    response.json({ status: 'ok', version: GATEWAY_VERSION });
  });
  // For a load balancer: whether this replica serves, and how its store is.
  app.get('/ready', (_request, response) => {
    const store = gateway.store?.state() ?? EMBEDDED_STATE;
    const status = !store.ready ? 'starting' : store.postgres === 'down' || store.redis === 'down' ? 'degraded' : 'ready';
    response.status(store.ready ? 200 : 503).json({ status, store });
  });
  // Claude Code probes the root with HEAD before its first call.
  app.head('/', (_request, response) => {
    response.status(200).end();
  });

  // The Gemini API inbound (Gemini CLI, Google's SDK): /v1beta, and its method paths under /v1.
  mountGemini(app, gateway, security);

  const v1 = express.Router();
  v1.use(tokenGuard(security, GATEWAY_TOKEN_PLACES));
  // At start, while the ledger reads this month, a request under a budget cap waits for it.
  v1.use(budgetGate(gateway));
  v1.get('/models', listModels(gateway));
  v1.get('/models/*id', getModel(gateway));
  v1.post('/chat/completions', chatCompletions(gateway));
  v1.post('/completions', completions(gateway));
  v1.post('/embeddings', embeddings(gateway));
  v1.post('/images/generations', imageGenerations(gateway));
  v1.post('/images/edits', imageEdits(gateway));
  v1.post('/audio/speech', speech(gateway));
  v1.post('/audio/transcriptions', transcription(gateway, 'transcriptions'));
  v1.post('/audio/translations', transcription(gateway, 'translations'));
  v1.post('/videos', createVideo(gateway));
  v1.get('/videos/:id', videoJob(gateway, 'status'));
  v1.get('/videos/:id/content', videoJob(gateway, 'content'));
  // Anthropic Messages and OpenAI Responses inbound (Claude Code, Codex, the SDKs) are always on.
  for (const mount of [messagesMount, responsesMount, ...(mounts.v1 ?? [])]) mount(v1, gateway);
  app.use('/v1', v1);

  const modapi = express.Router();
  modapi.use(tokenGuard(security, GATEWAY_TOKEN_PLACES));
  for (const mount of mounts.modapi ?? []) mount(modapi, gateway);
  app.use('/modapi', modapi);

  app.use((request: Request, _response: Response, next: NextFunction) => {
    next(GatewayError.notFound(`Unknown endpoint ${request.method} ${request.path.slice(0, 200)}.`));
  });
  mountMessagesErrorExits(app, gateway);
  mountGeminiErrorExits(app, gateway);
  app.use(errorExit(gateway, openAIErrors));
  return app;
};
