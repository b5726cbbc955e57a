import { withoutTrailingSlashes } from '../../providers/base-url.js';
import type { ProviderConfig } from '../../providers/types.js';

/** OpenAI's API as an upstream: operation URLs under the base URL (which includes `/v1`) and the
 * gateway's own headers. The client's Authorization is never among them: the key is injected here
 * and only here. */
export const openAIUrl = (provider: ProviderConfig, path: string): string => withoutTrailingSlashes(provider.baseUrl) + path;

export const openAIHeaders = (provider: ProviderConfig, contentType?: string, accept?: string): Record<string, string> => {
  // Object.assign, not a spread: keys added to a spread copy take V8's slow path (upstream/http-client.ts).
  const headers: Record<string, string> = Object.assign({}, provider.headers);
  if (provider.apiKey) headers.authorization = `Bearer ${provider.apiKey}`;
  if (contentType) headers['content-type'] = contentType;
  if (accept) headers.accept = accept;
  return headers;
};
