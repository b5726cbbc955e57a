import { hostRoot } from '../../providers/base-url.js';
import type { ProviderConfig } from '../../providers/types.js';
import { headerToken, type TokenPlace } from '../../token-place.js';

/** Gemini's API as an upstream. GEMINI_BASE_URL is the host root; one pasted with its version path
 * still works. */
export const geminiUrl = (provider: ProviderConfig, path: string): string => hostRoot(provider.baseUrl) + path;

/** The Gemini API's model methods (`models/{model}:{method}`) the gateway serves and calls. */
export const GEMINI_METHODS = {
  generate: 'generateContent',
  stream: 'streamGenerateContent',
  countTokens: 'countTokens',
  embed: 'embedContent',
  batchEmbed: 'batchEmbedContents',
  predict: 'predict',
} as const;

/** A method as the ledger's endpoint (`/v1beta/models:generateContent`): the model has a column of
 * its own. */
export const methodEndpoint = (method: string): string => `/v1beta/models:${method}`;

/** The model and method of `{model}:{method}`: the method follows the last colon (an Ollama tag
 * `llama3.2:3b` keeps its own). */
export const splitModelMethod = (path: string): { model: string; method: string } | undefined => {
  const colon = path.lastIndexOf(':');
  return colon > 0 ? { model: path.slice(0, colon), method: path.slice(colon + 1) } : undefined;
};

/** `/v1beta/models/{model}:{method}` with the model id made safe for a path. */
export const modelPath = (model: string, method: string): string => `/v1beta/models/${encodeURIComponent(model.replace(/^models\//, ''))}:${method}`;

/** generateContent, or streamGenerateContent asked for SSE (`alt=sse`): every stream the gateway
 * reads from Gemini is SSE, whatever framing its own client wants. */
export const generatePath = (model: string, stream: boolean): string => (stream ? `${modelPath(model, GEMINI_METHODS.stream)}?alt=sse` : modelPath(model, GEMINI_METHODS.generate));

/** The gateway's headers for Gemini: the key goes in `x-goog-api-key` (never in the URL, where logs
 * would keep it); the client's own headers never get here. */
export const geminiHeaders = (provider: ProviderConfig, hasBody: boolean, accept: string | undefined): Record<string, string> => {
  const headers: Record<string, string> = Object.assign({}, provider.headers);
  if (provider.apiKey) headers['x-goog-api-key'] = provider.apiKey;
  if (hasBody) headers['content-type'] = 'application/json';
  if (accept) headers.accept = accept;
  return headers;
};

/** Where Google's clients put their key: `x-goog-api-key`, or `?key=` (read from the parsed query,
 * never from a logged URL). */
export const geminiTokenPlaces: readonly TokenPlace[] = [
  { description: '"x-goog-api-key"', read: (request) => headerToken(request.headers['x-goog-api-key']) },
  { description: '"?key="', read: (request) => queryKey(request.query) },
];

const queryKey = (query: unknown): string | undefined => {
  const key = (query as { key?: unknown } | undefined)?.key;
  return typeof key === 'string' && key ? key : undefined;
};

/** Whether a request carries Google's key header, which no OpenAI client sends: the Gemini routes
 * under /v1 answer only those. */
export const sentGoogleKeyHeader = (headers: { [name: string]: unknown }): boolean => headers['x-goog-api-key'] !== undefined;

/** The request headers Google's clients send, which a listed browser origin may send too. */
export const GEMINI_CLIENT_HEADERS = ['x-goog-api-key', 'x-goog-api-client'];
