import type { IncomingHttpHeaders } from 'node:http';
import { hostRoot } from '../../providers/base-url.js';
import type { ProviderConfig } from '../../providers/types.js';
import { headerToken, type TokenPlace } from '../../token-place.js';
import { ANTHROPIC_VERSION } from './wire-types.js';

/** Anthropic's API as an upstream. ANTHROPIC_BASE_URL is the host root (the SDK's convention); one
 * pasted with a trailing /v1 reaches the same URL on every lane, never /v1/v1/messages. */
export const anthropicUrl = (provider: ProviderConfig, path: string): string => hostRoot(provider.baseUrl) + path;

/** Anthropic's Messages endpoint; with `?beta=true` when the client asked for it (Claude Code does,
 * for its beta features), and its token count beside it. */
/** The Messages API's operations under its version root (`/v1`), where the gateway serves them too. */
export const API_ROOT = '/v1';
export const MESSAGES_OPERATION = '/messages';
export const COUNT_TOKENS_OPERATION = '/messages/count_tokens';
export const messagesPath = (beta = false): string => `${API_ROOT}${MESSAGES_OPERATION}${beta ? '?beta=true' : ''}`;
export const COUNT_TOKENS_PATH = `${API_ROOT}${COUNT_TOKENS_OPERATION}`;

export interface AnthropicHeaderOptions {
  accept?: string;
  contentType?: string;
  /** A client's own `anthropic-version` and `anthropic-beta` (the native lane passes them on). */
  version?: string;
  beta?: string;
}

/** The gateway's headers for Anthropic: the key goes in x-api-key, injected here and only here (a
 * client's Authorization or x-api-key is never forwarded). */
export const anthropicHeaders = (provider: ProviderConfig, options: AnthropicHeaderOptions = {}): Record<string, string> => {
  // Object.assign, not a spread: keys added after a spread take V8's slow path (upstream/http-client.ts).
  const headers: Record<string, string> = Object.assign({ 'anthropic-version': options.version ?? ANTHROPIC_VERSION }, provider.headers, { accept: options.accept ?? 'application/json' });
  if (options.contentType) headers['content-type'] = options.contentType;
  if (options.beta) headers['anthropic-beta'] = options.beta;
  if (provider.apiKey) headers['x-api-key'] = provider.apiKey;
  return headers;
};

const headerText = (value: string | string[] | undefined): string | undefined => (Array.isArray(value) ? value.join(',') : value);

/** The headers for a request relayed from an Anthropic client: its `anthropic-version` and
 * `anthropic-beta` kept, nothing else of its headers. */
export const relayedAnthropicHeaders = (provider: ProviderConfig, clientHeaders: IncomingHttpHeaders, stream: boolean): Record<string, string> =>
  anthropicHeaders(provider, {
    accept: stream ? 'text/event-stream' : 'application/json',
    contentType: 'application/json',
    version: headerText(clientHeaders['anthropic-version']),
    beta: headerText(clientHeaders['anthropic-beta']),
  });

/** Claude Code sends `?beta=true` on the messages route; read as express's `simple` query parser
 * would (a repeated key is a list, not 'true'). */
export const asksForBeta = (url: string): boolean => {
  const query = url.indexOf('?');
  if (query === -1) return false;
  const values = new URLSearchParams(url.slice(query + 1)).getAll('beta');
  return values.length === 1 && values[0] === 'true';
};

/** Anthropic's SDKs read a response's request id from this header (and show it with errors). */
export const REQUEST_ID_HEADER = 'request-id';

/** Where Anthropic's clients put their key (the SDK, Claude Code): `x-api-key`. */
export const anthropicTokenPlace: TokenPlace = { description: '"x-api-key"', read: (request) => headerToken(request.headers['x-api-key']) };

/** The request headers Anthropic's clients send, which a listed browser origin may send too. */
export const ANTHROPIC_CLIENT_HEADERS = ['x-api-key', 'anthropic-version', 'anthropic-beta'];
