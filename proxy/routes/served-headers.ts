import type { ResolvedModel } from '../providers/registry.js';

/** Response headers saying which provider and model served the request. */
export const servedHeaders = (resolved: ResolvedModel): Record<string, string> => ({
  'x-modapi-provider': resolved.provider.id,
  'x-modapi-model': headerSafe(resolved.upstreamModel),
});

/** A model id is the client's text: anything but printable ASCII would make Node refuse the header.
 * The UTF-8 round trip turns a lone surrogate (which encodeURIComponent throws on) into U+FFFD. */
const headerSafe = (value: string): string => (/^[\x20-\x7e]*$/.test(value) ? value : encodeURIComponent(Buffer.from(value, 'utf8').toString('utf8')));
