import { providersFromEnvironment } from '../config/environment.js';
import { readConfigFile, type ConfigFile } from '../config/config-file.js';
import { replaceLocalTokens } from '../governance/replace-tokens.js';
import { startGateway, type GatewayOptions, type RunningGateway } from '../server/gateway-server.js';
import type { LocalTokenEntry } from '../server/local-tokens.js';
import { startTelemetry } from '../telemetry/start-telemetry.js';
import { createConsoleLogger, Redactor } from '../logger.js';
import type { CliArguments } from './arguments.js';
import { dataFolder, defaultLedgerFolder, ensurePrivateFolder } from './data-folder.js';
import { generateLocalToken, keptToken, tokenFilePath } from './token-file.js';
import { watchTokenFile } from './token-watch.js';
import { openConfiguredStore } from './team-store-options.js';

/** What the standalone gateway keeps in the user's data folder unless told otherwise. */
export interface DurableDefaults {
  /** The ledger's folder; undefined keeps usage in memory (`--no-ledger`). */
  ledgerDir?: string;
  /** The token kept in the data folder, when neither a flag, the environment nor the config gives one. */
  keptToken?: string;
}

const explicitTokenOf = (cli: CliArguments, environment: NodeJS.ProcessEnv): string | undefined => cli.token ?? (environment.MODAPI_LOCAL_TOKEN?.trim() || undefined);

// Each configured token keeps its policy (allowed models, budgets, rate, team); revoked ones are dropped.
const configuredTokens = (config: ConfigFile): LocalTokenEntry[] => (config.tokens ?? []).filter((token) => !token.revoked);

/** Whether the gateway needs a token of its own: none given by flag, environment or config. */
export const needsOwnToken = (cli: CliArguments, environment: NodeJS.ProcessEnv, config: ConfigFile): boolean =>
  !explicitTokenOf(cli, environment) && configuredTokens(config).length === 0;

/** Options for the standalone gateway: config file first, then the environment, then flags. Without
 * `durable` (tests), the ledger is `--ledger` only and a needed token is generated in memory. */
export const gatewayOptionsFromCli = (cli: CliArguments, environment: NodeJS.ProcessEnv, config: ConfigFile = {}, durable?: DurableDefaults): { options: GatewayOptions; generatedToken?: string } => {
  const providers = { ...config.providers };
  for (const [id, override] of Object.entries(providersFromEnvironment(environment))) providers[id] = { ...providers[id], ...override };
  const ownToken = needsOwnToken(cli, environment, config) ? (durable?.keptToken ?? generateLocalToken()) : undefined;
  const tokens = configuredTokens(config);
  const mainToken = explicitTokenOf(cli, environment) ?? ownToken;
  if (mainToken) tokens.unshift({ name: 'default', token: mainToken });
  return {
    generatedToken: durable?.keptToken ? undefined : ownToken,
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
      ledgerDir: durable ? durable.ledgerDir : cli.ledger,
      budget: config.budget,
      tagPolicies: config.policies,
      retries: config.retries,
      fallbacks: config.fallbacks,
    },
  };
};

/** The ledger folder the gateway writes: `--ledger DIR`, none with `--no-ledger`, else the data folder's. */
export const ledgerFolderOf = (cli: CliArguments, folder: string): string | undefined => {
  if (cli.noLedger) return undefined;
  if (cli.ledger) return cli.ledger;
  ensurePrivateFolder(folder);
  return defaultLedgerFolder(folder);
};

/** What the data folder gives: a read-only or missing home still starts (as before this folder
 * existed), in memory, saying why and what to do. */
const durableDefaults = (cli: CliArguments, environment: NodeJS.ProcessEnv, config: ConfigFile, folder: string): { ledgerDir?: string; kept?: { token: string; generated: boolean } } => {
  try {
    return { kept: needsOwnToken(cli, environment, config) ? keptToken(folder) : undefined, ledgerDir: ledgerFolderOf(cli, folder) };
  } catch (error) {
    if (cli.ledger) throw error;
    console.warn(`the data folder ${folder} cannot be written (${(error as Error).message}): usage is kept in memory and a token is made for this run only; --ledger DIR and --token T choose other places`);
    return {};
  }
};

/** Keeps a rotated token file in force while the gateway runs: the old token is refused at once. */
const followTokenFile = (gateway: RunningGateway, path: string, token: string): void => {
  watchTokenFile(
    path,
    token,
    (rotated) => {
      replaceLocalTokens(gateway.context, [{ name: 'default', token: rotated }]);
      gateway.context.log.info(`local token replaced from ${path}; the previous one is refused from now on`);
    },
    (error) => gateway.context.log.warn(`the local token file ${path} cannot be followed: ${error.message}`),
  );
};

/** Runs the gateway until SIGINT or SIGTERM, then shuts down within 5 seconds. */
export const serve = async (cli: CliArguments, environment: NodeJS.ProcessEnv): Promise<RunningGateway> => {
  const config = cli.config ? readConfigFile(cli.config) : {};
  const folder = dataFolder(environment);
  const { kept, ledgerDir } = durableDefaults(cli, environment, config, folder);
  const { options, generatedToken } = gatewayOptionsFromCli(cli, environment, config, { ledgerDir, keptToken: kept?.token });
  const redactor = new Redactor();
  // Off, and the OpenTelemetry SDK never loaded, unless an OTEL_EXPORTER_OTLP_* endpoint is set.
  const telemetry = await startTelemetry(environment, createConsoleLogger(redactor));
  const team = await openConfiguredStore(cli, environment, redactor, ledgerDir ?? folder);
  const gateway = await startGateway({ ...options, redactor, store: team?.store, telemetry }).catch(async (error: unknown) => {
    await team?.store.close();
    await telemetry?.shutdown();
    throw error;
  });
  if (team) console.log(team.description);
  const keyed = gateway.context.registry.configured().filter((provider) => provider.apiKey).map((provider) => provider.id);
  console.log(keyed.length > 0 ? `providers with a key: ${keyed.join(', ')}` : 'no provider key set: model calls will answer 401 until MODAPI_API_KEY (or another provider key) is set');
  console.log(ledgerDir ? `usage ledger: ${ledgerDir}` : `usage kept in memory only${cli.noLedger ? ' (--no-ledger)' : ''}: it is lost when the gateway stops`);
  const shownOnce = generatedToken ?? (kept?.generated ? kept.token : undefined);
  if (shownOnce) console.log(`local token (generated, shown once): ${shownOnce}`);
  if (kept) {
    const path = tokenFilePath(folder);
    console.log(`local token ${kept.generated ? 'kept' : 'reused from'} ${path} (modapi-gateway token prints it, token --rotate replaces it)`);
    followTokenFile(gateway, path, kept.token);
  }
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
