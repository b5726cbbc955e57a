import type { ResolvedModel } from '../providers/registry.js';

/** Response headers saying which provider and model served the request. */
export const servedHeaders = (resolved: ResolvedModel): Record<string, string> => ({
  'x-modapi-provider': resolved.provider.id,
  'x-modapi-model': resolved.upstreamModel,
});
