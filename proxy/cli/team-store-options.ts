import { homedir } from 'node:os';
import { join } from 'node:path';
import { createConsoleLogger, type Redactor } from '../logger.js';
import type { TeamStore } from '../store/store-seam.js';
import type { CliArguments } from './arguments.js';
import { redisUrlOf, storeUrlOf } from './team-arguments.js';

/** The platform's folder for a user's application data (the spool's default home). */
const userDataFolder = (environment: NodeJS.ProcessEnv): string => {
  if (process.platform === 'win32') return join(environment.LOCALAPPDATA ?? join(homedir(), 'AppData', 'Local'), 'modapi');
  if (process.platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'modapi');
  return join(environment.XDG_DATA_HOME || join(homedir(), '.local', 'share'), 'modapi');
};

const positiveMs = (text: string | undefined, scale: number): number | undefined => {
  const value = Number(text);
  return text && Number.isFinite(value) && value > 0 ? value * scale : undefined;
};

/** A URL's password is a secret: the whole URL and the password are masked in every log line. */
const teachSecrets = (redactor: Redactor, url: string): void => {
  redactor.addSecret(url);
  try {
    redactor.addSecret(decodeURIComponent(new URL(url).password));
  } catch {
    // Not a URL the redactor can take apart; the whole string is masked already.
  }
};

/** The team store when --store or MODAPI_STORE_URL names one; undefined for the embedded default.
 * Only then do the store's modules run, and they load pg and ioredis. */
export const openConfiguredStore = async (cli: CliArguments, environment: NodeJS.ProcessEnv, redactor: Redactor): Promise<{ store: TeamStore; description: string } | undefined> => {
  const storeUrl = storeUrlOf(cli.team, environment);
  if (!storeUrl) return undefined;
  const redisUrl = redisUrlOf(cli.team, environment);
  teachSecrets(redactor, storeUrl);
  if (redisUrl) teachSecrets(redactor, redisUrl);
  const spoolDir = cli.team?.spool ?? (environment.MODAPI_SPOOL_DIR?.trim() || join(cli.ledger ?? userDataFolder(environment), 'spool'));
  const { openTeamStore } = await import('../store/team/team-store.js');
  const store = await openTeamStore({
    storeUrl,
    redisUrl,
    spoolDir,
    log: createConsoleLogger(redactor),
    holdMs: positiveMs(environment.MODAPI_HOLD_SECONDS, 1_000),
    batchMs: positiveMs(environment.MODAPI_USAGE_BATCH_MS, 1),
  });
  const state = store.state();
  return { store, description: `team store: Postgres ${state.postgres}, Redis ${state.redis}; usage spooled in ${spoolDir} until Postgres has it` };
};
