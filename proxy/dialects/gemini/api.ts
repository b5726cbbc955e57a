import { hostRoot } from '../../providers/base-url.js';
import type { ProviderConfig } from '../../providers/types.js';

/** Gemini's API as an upstream. GEMINI_BASE_URL is the host root; one pasted with its version path
 * still works. */
export const geminiUrl = (provider: ProviderConfig, path: string): string => hostRoot(provider.baseUrl) + path;

/** `/v1beta/models/{model}:{method}` with the model id made safe for a path. */
export const modelPath = (model: string, method: string): string => `/v1beta/models/${encodeURIComponent(model.replace(/^models\//, ''))}:${method}`;

/** The gateway's headers for Gemini: the key goes in `x-goog-api-key` (never in the URL, where logs
 * would keep it); the client's own headers never get here. */
export const geminiHeaders = (provider: ProviderConfig, hasBody: boolean, accept: string | undefined): Record<string, string> => {
  const headers: Record<string, string> = Object.assign({}, provider.headers);
  if (provider.apiKey) headers['x-goog-api-key'] = provider.apiKey;
  if (hasBody) headers['content-type'] = 'application/json';
  if (accept) headers.accept = accept;
  return headers;
};
