/** The `modapi.*` settings, read through a getter so the logic stays testable without `vscode`. */
export interface ModapiSettings {
  baseUrl: string;
  defaultModel: string;
  gatewayEnabled: boolean;
  gatewayPort: number;
  allowedOrigins: string[];
  /** Base URLs (and headers) of other providers, by provider id. Never keys: those are secrets. */
  providers: Record<string, { baseUrl?: string; headers?: Record<string, string>; responsesApi?: boolean }>;
  /** USD; 0 = none (a cap) or the worst case (what a request to a model without a price reserves). */
  budget: { dailyUsd: number; monthlyUsd: number; unpricedUsdPerRequest: number };
  retries: number;
  /** Model id -> models to try in order when it fails. */
  fallbacks: Record<string, string[]>;
}

export type SettingGetter = <T>(key: string) => T | undefined;

/** Settings that decide where keys go or which limits apply. A workspace's settings.json is
 * content from whoever wrote the repository: these are read from the user's settings only. The
 * gateway's port and switch are among them: tools set up for the usual port would otherwise send
 * their local token and prompts to whatever the repository runs there once it moved the gateway. */
export const USER_ONLY_SETTINGS = ['baseUrl', 'providers', 'gateway.enabled', 'gateway.port', 'gateway.allowedOrigins', 'budget.daily', 'budget.monthly', 'budget.unpricedUsdPerRequest', 'fallbacks', 'retries'] as const;

/** What `WorkspaceConfiguration.inspect` answers, as far as this module needs it. */
export interface SettingInspection {
  defaultValue?: unknown;
  globalValue?: unknown;
  workspaceValue?: unknown;
  workspaceFolderValue?: unknown;
}

/** The `modapi` section of the configuration (`vscode.workspace.getConfiguration('modapi')`). */
export interface SettingsSource {
  get<T>(key: string): T | undefined;
  inspect(key: string): SettingInspection | undefined;
}

const isUserOnly = (key: string): boolean => (USER_ONLY_SETTINGS as readonly string[]).includes(key);

/** Reads user-only settings from the user's value or the default, whatever a workspace or folder
 * says; the others as VS Code merges them. */
export const userOnlyGetter = (source: SettingsSource): SettingGetter =>
  (<T>(key: string): T | undefined => {
    if (!isUserOnly(key)) return source.get<T>(key);
    const inspection = source.inspect(key);
    return (inspection?.globalValue ?? inspection?.defaultValue) as T | undefined;
  }) as SettingGetter;

/** The user-only settings a workspace or folder sets, as far as VS Code reports them (a nested
 * `"modapi": {...}` object reaches `inspect` even for application-scoped settings). */
export const workspaceValuesOf = (source: SettingsSource): string[] =>
  USER_ONLY_SETTINGS.filter((key) => {
    const inspection = source.inspect(key);
    return inspection?.workspaceValue !== undefined || inspection?.workspaceFolderValue !== undefined;
  }).map((key) => `modapi.${key}`);

export const DEFAULT_BASE_URL = 'https://modapi.ai/v1';
export const DEFAULT_PORT = 4141;

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

const nonNegative = (value: unknown, fallback: number): number => (typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : fallback);

const validPort = (value: unknown): number => (typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 65535 ? value : DEFAULT_PORT);

const stringList = (value: unknown): string[] => (Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string' && item.length > 0) : []);

const readProviders = (value: unknown): ModapiSettings['providers'] => {
  if (!isRecord(value)) return {};
  const providers: ModapiSettings['providers'] = {};
  for (const [id, entry] of Object.entries(value)) {
    if (typeof entry === 'string') providers[id] = { baseUrl: entry };
    else if (isRecord(entry)) {
      providers[id] = {
        baseUrl: typeof entry.baseUrl === 'string' && entry.baseUrl ? entry.baseUrl : undefined,
        headers: isRecord(entry.headers) ? (Object.fromEntries(Object.entries(entry.headers).filter(([, header]) => typeof header === 'string')) as Record<string, string>) : undefined,
        ...(typeof entry.responsesApi === 'boolean' ? { responsesApi: entry.responsesApi } : {}),
      };
    }
  }
  return providers;
};

const readFallbacks = (value: unknown): Record<string, string[]> =>
  isRecord(value) ? Object.fromEntries(Object.entries(value).map(([model, list]) => [model, stringList(list)]).filter(([, list]) => list.length > 0)) : {};

/** `modapi.defaultModel` alone: the status bar shows it at activation, where reading every
 * setting (`inspect` for each user-only one) would cost more than the rest of activation. */
export const readDefaultModel = (get: SettingGetter): string => (get<string>('defaultModel') ?? '').trim();

/** Every `modapi.*` setting, validated; `get` decides which scopes count (see userOnlyGetter). */
export const readSettings = (get: SettingGetter): ModapiSettings => ({
  baseUrl: (get<string>('baseUrl') || DEFAULT_BASE_URL).trim(),
  defaultModel: readDefaultModel(get),
  gatewayEnabled: get<boolean>('gateway.enabled') !== false,
  gatewayPort: validPort(get<number>('gateway.port')),
  allowedOrigins: stringList(get<string[]>('gateway.allowedOrigins')),
  providers: readProviders(get('providers')),
  budget: { dailyUsd: nonNegative(get('budget.daily'), 0), monthlyUsd: nonNegative(get('budget.monthly'), 0), unpricedUsdPerRequest: nonNegative(get('budget.unpricedUsdPerRequest'), 0) },
  retries: Math.floor(nonNegative(get('retries'), 2)),
  fallbacks: readFallbacks(get('fallbacks')),
});
