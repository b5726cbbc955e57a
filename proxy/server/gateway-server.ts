import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import type { AddressInfo, Socket } from 'node:net';
import { Catalog } from '../catalog/catalog.js';
import type { ModelPrice } from '../catalog/bundled-table.js';
import { createConsoleLogger, Redactor, redactingLogger, type Logger } from '../logger.js';
import { ProviderRegistry, type ProviderOverride } from '../providers/registry.js';
import { configureUpstream, DEFAULT_TIMEOUTS, releaseUpstreamPools, retainUpstreamPools, type UpstreamTimeouts } from '../upstream/http-client.js';
import type { RetryPolicy } from '../upstream/retry.js';
import { configureRetries } from '../upstream/retry.js';
import { setUpUsage, type UsageOptions } from '../usage/usage-setup.js';
import { teeUsage } from '../usage/usage-record.js';
import type { TeamStore } from '../store/store-seam.js';
import { mountUsageApi } from '../routes/usage/usage-api.js';
import { createResponsesState, type ResponsesOptions } from '../routes/responses/responses-state.js';
import { createRequestListener } from './create-app.js';
import type { RouteMounts } from './route-mount.js';
import { configureWholeBodyLimit } from '../upstream/whole-body-limit.js';
import { DEFAULT_LIMITS, type BodyLimits, type GatewayContext } from './gateway-context.js';
import { LocalTokens, type LocalTokenEntry } from './local-tokens.js';
import { hostNamesForBind } from './security.js';
import type { CallTelemetry } from '../telemetry/call-telemetry.js';

export interface GatewayOptions extends UsageOptions {
  /** 127.0.0.1 unless the user asks for another address on purpose. */
  host?: string;
  /** 0 picks any free port. */
  port?: number;
  providers: Record<string, ProviderOverride>;
  defaultProvider?: string;
  /** Named local tokens, each with its optional policy (allowed models, budgets, rate). */
  tokens: LocalTokenEntry[];
  allowedOrigins?: string[];
  /** Host headers a load balancer forwards, accepted besides this address's own (security.ts). */
  allowedHosts?: string[];
  limits?: Partial<BodyLimits>;
  timeouts?: Partial<UpstreamTimeouts>;
  catalogTtlMs?: number;
  priceOverrides?: Record<string, ModelPrice>;
  /** Retries of upstream requests (none unless given). */
  retries?: Partial<RetryPolicy>;
  /** Per-model fallback chains for chat completions: client-facing id -> ids to try in turn. */
  fallbacks?: Record<string, string[]>;
  log?: Logger;
  redactor?: Redactor;
  mounts?: RouteMounts;
  /** Stored responses for the Responses API (previous_response_id): where, how long, how much, or
   * off. By default they are kept next to the ledger when it has a folder, else in memory. */
  responses?: ResponsesOptions;
  /** Where every model call is reported once (the CLI's OpenTelemetry export); shut down on close. */
  telemetry?: CallTelemetry;
  /** Usage, budgets, rates and tokens shared by replicas (the CLI opens it); none: the embedded default. */
  store?: TeamStore;
}

export interface RunningGateway {
  context: GatewayContext;
  server: Server;
  host: string;
  port: number;
  /** `http://127.0.0.1:PORT/v1` */
  url: string;
  close(timeoutMs?: number): Promise<void>;
}

const LOOPBACK = '127.0.0.1';

export const urlHost = (host: string): string => (host.includes(':') ? `[${host}]` : host);

/** Builds the gateway and listens. Rejects (EADDRINUSE and the like) if the port cannot be bound. */
export const startGateway = async (options: GatewayOptions): Promise<RunningGateway> => {
  const redactor = options.redactor ?? new Redactor();
  for (const provider of Object.values(options.providers)) redactor.addSecret(provider.apiKey);
  for (const token of options.tokens) redactor.addSecret(token.token);
  // A logger handed in (the extension's output channel) gets the same masking as the console one.
  const log = options.log ? redactingLogger(options.log, redactor) : createConsoleLogger(redactor);
  const timeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
  configureUpstream(timeouts);
  configureWholeBodyLimit(options.limits?.upstreamAnswerBytes);
  configureRetries(options.retries);
  const usage = setUpUsage(options, log);
  const store = options.store;
  if (store) usage.governance.shareLimits(store.limits);
  const registry = new ProviderRegistry(options.providers, options.defaultProvider, timeouts);
  const context: GatewayContext = {
    registry,
    catalog: new Catalog(registry, {
      ttlMs: options.catalogTtlMs ?? 10 * 60_000,
      priceOverrides: options.priceOverrides,
      onListError: (providerId, error) => log.warn(`model list of ${providerId} unavailable: ${(error as Error).message}`),
    }),
    tokens: new LocalTokens(options.tokens),
    usage: store ? teeUsage(usage.usage, store.usage) : usage.usage,
    limits: { ...DEFAULT_LIMITS, ...options.limits },
    log,
    redactor,
    videoOwners: new Map(),
    ledger: usage.ledger,
    usageReports: store?.reports ?? usage.ledger,
    governance: usage.governance,
    fallbacks: options.fallbacks,
    telemetry: options.telemetry,
    responses: createResponsesState({ dir: options.ledgerDir ? join(options.ledgerDir, 'responses') : undefined, ...options.responses }),
    store,
  };
  store?.watchTokens((stored) => {
    const clashing = context.tokens.replaceStored(stored);
    if (clashing.length > 0) log.warn(`team store: token(s) ${clashing.map((name) => `"${name}"`).join(', ')} left out: the gateway's configuration has a token of the same name (a name is who a token is: its budgets, stored responses and usage)`);
  });
  store?.watchPolicies((stored) => usage.governance.setStorePolicies(stored));
  const host = options.host ?? LOOPBACK;
  let boundPort = 0;
  const allowedOrigins = options.allowedOrigins ?? [];
  const app = createRequestListener(
    context,
    { port: () => boundPort, extraHostNames: hostNamesForBind(host), allowedHosts: options.allowedHosts?.map((name) => name.toLowerCase()), allowedOrigins: () => allowedOrigins, tokens: context.tokens },
    { ...options.mounts, modapi: [mountUsageApi, ...(options.mounts?.modapi ?? [])] },
  );
  const server = createServer({ keepAliveTimeout: 65_000, requestTimeout: 600_000, headersTimeout: 60_000, maxHeaderSize: 64 * 1024 }, app);
  const sockets = new Set<Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  server.on('clientError', (_error, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n');
    else socket.destroy();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 4141, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  boundPort = (server.address() as AddressInfo).port;
  retainUpstreamPools();
  let closing: Promise<void> | undefined;
  return {
    context,
    server,
    host,
    port: boundPort,
    url: `http://${urlHost(host)}:${boundPort}/v1`,
    // Closing twice waits for the first close instead of releasing the upstream pool twice.
    close: (timeoutMs = 5_000) => (closing ??= closeServer(server, sockets, timeoutMs).finally(async () => {
      usage.close();
      await store?.close();
      await options.telemetry?.shutdown();
    })),
  };
};

/** Stops accepting, lets requests in flight finish for a while, then cuts what is left. */
const closeServer = async (server: Server, sockets: Set<Socket>, timeoutMs: number): Promise<void> => {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  const timer = setTimeout(() => {
    for (const socket of sockets) socket.destroy();
  }, timeoutMs);
  timer.unref();
  await closed;
  clearTimeout(timer);
  await releaseUpstreamPools();
};
