import { randomBytes } from 'node:crypto';
import { providersFromEnvironment } from '../config/environment.js';
import { readConfigFile, type ConfigFile } from '../config/config-file.js';
import { startGateway, type GatewayOptions, type RunningGateway } from '../server/gateway-server.js';
import { Redactor } from '../logger.js';
import type { CliArguments } from './arguments.js';
import { openConfiguredStore } from './team-store-options.js';

export const generateLocalToken = (): string => `mk-local-${randomBytes(24).toString('base64url')}`;

/** Options for the standalone gateway: config file first, then the environment, then flags. */
export const gatewayOptionsFromCli = (cli: CliArguments, environment: NodeJS.ProcessEnv, config: ConfigFile = {}): { options: GatewayOptions; generatedToken?: string } => {
  const providers = { ...config.providers };
  for (const [id, override] of Object.entries(providersFromEnvironment(environment))) providers[id] = { ...providers[id], ...override };
  const explicitToken = cli.token ?? environment.MODAPI_LOCAL_TOKEN?.trim();
  // Each configured token keeps its policy (allowed models, budgets, rate); revoked ones are dropped.
  const configured = (config.tokens ?? []).filter((token) => !token.revoked);
  const generatedToken = explicitToken || configured.length > 0 ? undefined : generateLocalToken();
  const tokens = [...configured];
  const mainToken = explicitToken || generatedToken;
  if (mainToken) tokens.unshift({ name: 'default', token: mainToken });
  return {
    generatedToken,
    options: {
      host: cli.host,
      port: cli.port,
      providers,
      defaultProvider: config.defaultProvider,
      tokens,
      allowedOrigins: config.allowedOrigins,
      allowedHosts: environment.MODAPI_ALLOWED_HOSTS?.split(',').map((host) => host.trim()).filter(Boolean),
      limits: config.limits,
      timeouts: config.timeouts,
      priceOverrides: config.priceOverrides,
      ledgerDir: cli.ledger,
      budget: config.budget,
      retries: config.retries,
      fallbacks: config.fallbacks,
    },
  };
};

/** Runs the gateway until SIGINT or SIGTERM, then shuts down within 5 seconds. */
export const serve = async (cli: CliArguments, environment: NodeJS.ProcessEnv): Promise<RunningGateway> => {
  const config = cli.config ? readConfigFile(cli.config) : {};
  const { options, generatedToken } = gatewayOptionsFromCli(cli, environment, config);
  const redactor = new Redactor();
  const team = await openConfiguredStore(cli, environment, redactor);
  const gateway = await startGateway({ ...options, redactor, store: team?.store }).catch(async (error: unknown) => {
    await team?.store.close();
    throw error;
  });
  if (team) console.log(team.description);
  const keyed = gateway.context.registry.configured().filter((provider) => provider.apiKey).map((provider) => provider.id);
  console.log(keyed.length > 0 ? `providers with a key: ${keyed.join(', ')}` : 'no provider key set: model calls will answer 401 until MODAPI_API_KEY (or another provider key) is set');
  if (generatedToken) console.log(`local token (generated, shown once): ${generatedToken}`);
  // Last, since tools wait for this line: everything above is printed by the time they see it.
  console.log(`ModAPI gateway listening on ${gateway.url}`);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: shutting down`);
    const forced = setTimeout(() => process.exit(1), 5_000);
    forced.unref();
    // Requests in flight get 3 s to finish, which leaves the pools time to close before the 5 s limit.
    void gateway.close(3_000).finally(() => process.exit(0));
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
  return gateway;
};
