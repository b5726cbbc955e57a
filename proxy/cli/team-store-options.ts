import { join } from 'node:path';
import { createConsoleLogger, type Redactor } from '../logger.js';
import type { TeamStore } from '../store/store-seam.js';
import type { CliArguments } from './arguments.js';
import { redisUrlOf, storeUrlOf } from './team-arguments.js';

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
 * Its spool goes beside the ledger (or in the data folder) unless --spool or MODAPI_SPOOL_DIR says. 
 * Only then do the store's modules run, and they load pg and ioredis. */
export const openConfiguredStore = async (cli: CliArguments, environment: NodeJS.ProcessEnv, redactor: Redactor, folder: string): Promise<{ store: TeamStore; description: string } | undefined> => {
  const storeUrl = storeUrlOf(cli.teamStore, environment);
  if (!storeUrl) return undefined;
  const redisUrl = redisUrlOf(cli.teamStore, environment);
  teachSecrets(redactor, storeUrl);
  if (redisUrl) teachSecrets(redactor, redisUrl);
  const spoolDir = cli.teamStore?.spool ?? (environment.MODAPI_SPOOL_DIR?.trim() || join(folder, 'spool'));
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
