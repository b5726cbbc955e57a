/** The team gateway's flags: where the store and Redis are, and the `tokens` and `policies` commands' fields. */
export interface TeamArguments {
  store?: string;
  redis?: string;
  spool?: string;
  name?: string;
  team?: string;
  allowedModels?: string[];
  dailyUsd?: number;
  monthlyUsd?: number;
  rpm?: number;
  admin: boolean;
}

export const TEAM_OPTIONS = {
  store: { type: 'string' },
  redis: { type: 'string' },
  spool: { type: 'string' },
  name: { type: 'string' },
  // --team is the usage report's filter too (arguments.ts declares it).
  'allowed-models': { type: 'string' },
  'daily-usd': { type: 'string' },
  'monthly-usd': { type: 'string' },
  rpm: { type: 'string' },
  admin: { type: 'boolean', default: false },
} as const;

export const TEAM_USAGE_TEXT = `
A team gateway (several replicas over PostgreSQL, optionally Redis):
  node dist/cli.js [--store postgres://...] [--redis redis://...] [--spool DIR]   (or MODAPI_STORE_URL, MODAPI_REDIS_URL)
  node dist/cli.js migrate --store postgres://...
  node dist/cli.js tokens create --name NAME [--team TEAM] [--allowed-models a,b*] [--daily-usd N] [--monthly-usd N] [--rpm N] [--admin]
  node dist/cli.js tokens list
  node dist/cli.js tokens revoke NAME
  node dist/cli.js policies set --name NAME --tag KEY=VALUE --allowed-models a,b* [--team TEAM]   (creates or replaces)
  node dist/cli.js policies list
  node dist/cli.js policies remove NAME`;

const positiveNumber = (flag: string, text: string | undefined, integer = false): number | undefined => {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0 || (integer && !Number.isInteger(value))) throw new Error(`--${flag} must be a positive ${integer ? 'whole ' : ''}number, not ${text}`);
  return value;
};

export const teamArguments = (values: Record<string, unknown>, rest: string[]): TeamArguments => {
  const text = (key: string): string | undefined => (typeof values[key] === 'string' ? (values[key] as string) : undefined);
  const models = text('allowed-models');
  return {
    store: text('store'),
    redis: text('redis'),
    spool: text('spool'),
    name: text('name') ?? rest[0],
    team: text('team'),
    allowedModels: models?.split(',').map((model) => model.trim()).filter(Boolean),
    dailyUsd: positiveNumber('daily-usd', text('daily-usd')),
    monthlyUsd: positiveNumber('monthly-usd', text('monthly-usd')),
    rpm: positiveNumber('rpm', text('rpm'), true),
    admin: values.admin === true,
  };
};

/** Flags first, then the environment. */
export const storeUrlOf = (team: TeamArguments | undefined, environment: NodeJS.ProcessEnv): string | undefined => team?.store ?? (environment.MODAPI_STORE_URL?.trim() || undefined);
export const redisUrlOf = (team: TeamArguments | undefined, environment: NodeJS.ProcessEnv): string | undefined => team?.redis ?? (environment.MODAPI_REDIS_URL?.trim() || undefined);
