/** `modapi.workspace.allowedModels`: glob patterns that narrow which models the editor's surfaces
 * may use. Every scope that sets it (user settings, the workspace, each folder) is a separate
 * limit, and a model must match all of them: a repository can narrow the user's choice, never
 * widen it. Nothing here touches `vscode`, so the rules are tested in Node. */
export const ALLOWED_MODELS_SETTING = 'modapi.workspace.allowedModels';

/** One scope's value and where it was set ("your user settings", "the folder \"app\""). */
export interface AllowedModelsSource {
  where: string;
  patterns: string[];
}

const escapeRegExp = (text: string): string => text.replace(/[.+^${}()|[\]\\]/g, '\\$&');

/** `*` is any run of characters (slashes included: `anthropic/*`), `?` one; case-insensitive,
 * as model ids are. */
export const globToRegExp = (pattern: string): RegExp => new RegExp(`^${pattern.split('').map((char) => (char === '*' ? '.*' : char === '?' ? '.' : escapeRegExp(char))).join('')}$`, 'i');

/** The patterns of a setting's value, or undefined when it sets no limit (absent, empty, not a
 * list of strings). */
export const patternsOf = (value: unknown): string[] | undefined => {
  if (!Array.isArray(value)) return undefined;
  const patterns = value.filter((item): item is string => typeof item === 'string' && item.trim().length > 0).map((item) => item.trim());
  return patterns.length > 0 ? patterns : undefined;
};

export class ModelAllowance {
  private readonly matchers: { source: AllowedModelsSource; expressions: RegExp[] }[];

  constructor(readonly sources: readonly AllowedModelsSource[]) {
    this.matchers = sources.map((source) => ({ source, expressions: source.patterns.map(globToRegExp) }));
  }

  /** Whether any scope sets a limit. */
  get limited(): boolean {
    return this.matchers.length > 0;
  }

  allows(model: string): boolean {
    return this.refusal(model) === undefined;
  }

  /** Why `model` may not be used here, naming the setting and the scope that set it; undefined
   * when every scope's patterns match it. */
  refusal(model: string): string | undefined {
    const failed = this.matchers.find((matcher) => !matcher.expressions.some((expression) => expression.test(model)));
    if (!failed) return undefined;
    return `The model ${model} is not allowed here: "${ALLOWED_MODELS_SETTING}" in ${failed.source.where} allows only ${failed.source.patterns.join(', ')}.`;
  }

  filter<T extends { id: string }>(models: readonly T[]): T[] {
    return this.limited ? models.filter((model) => this.allows(model.id)) : [...models];
  }
}

export const NO_LIMIT = new ModelAllowance([]);

/** What `inspect` reports for the setting, with where each value lives. */
export interface AllowedModelsScopes {
  user?: unknown;
  /** The workspace's own value, and where it lives (a folder's settings.json or a .code-workspace file). */
  workspace?: { where: string; value: unknown };
  /** Each folder's value in a multi-root workspace. */
  folders?: { where: string; value: unknown }[];
}

export const allowanceFrom = (scopes: AllowedModelsScopes): ModelAllowance => {
  const sources: AllowedModelsSource[] = [];
  const add = (where: string, value: unknown): void => {
    const patterns = patternsOf(value);
    if (patterns) sources.push({ where, patterns });
  };
  add('your user settings', scopes.user);
  if (scopes.workspace) add(scopes.workspace.where, scopes.workspace.value);
  for (const folder of scopes.folders ?? []) add(folder.where, folder.value);
  return new ModelAllowance(sources);
};
