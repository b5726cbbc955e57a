import type { ResolvedModel } from '../providers/registry.js';

/** What one local token (one tool) may do. Every limit is optional; no policy means no limit. */
export interface TokenPolicy {
  /** Glob patterns (`*`, `?`) over client-facing model ids: `gpt-4o*`, `anthropic/*`. */
  allowedModels?: string[];
  dailyBudgetUsd?: number;
  monthlyBudgetUsd?: number;
  requestsPerMinute?: number;
}

const patternCache = new Map<string, RegExp>();

/** A glob as a whole-string, case-insensitive pattern: `*` any run of characters, `?` one. */
const globToRegExp = (glob: string): RegExp => {
  let pattern = patternCache.get(glob);
  if (!pattern) {
    const source = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
    pattern = new RegExp(`^${source}$`, 'i');
    if (patternCache.size > 1_000) patternCache.clear();
    patternCache.set(glob, pattern);
  }
  return pattern;
};

export const globMatches = (glob: string, value: string): boolean => globToRegExp(glob).test(value);

/** Whether a policy lets its token call a model. The model may be named as the client named it
 * (`gpt-4o`) or as `provider/model` (`modapi/gpt-4o`); a pattern matching either allows it. */
export const modelAllowed = (policy: TokenPolicy | undefined, resolved: ResolvedModel): boolean => {
  const patterns = policy?.allowedModels;
  if (!patterns) return true;
  const qualified = `${resolved.provider.id}/${resolved.upstreamModel}`;
  return patterns.some((pattern) => globMatches(pattern, resolved.requestedModel) || globMatches(pattern, qualified));
};
