import type { Dispatcher } from 'undici';
import type { ProviderConfig } from '../../providers/types.js';
import { sendUpstream, type UpstreamRequest, type UpstreamResponse } from '../../upstream/http-client.js';
import type { ClientWatch } from '../../upstream/client-watch.js';
import { openUpstream, type OpenedUpstream } from '../../upstream/open-upstream.js';
import { errorFromUpstream } from '../../upstream/upstream-error.js';

export interface ForwardOptions {
  method?: 'GET' | 'POST' | 'DELETE';
  /** Path under the provider's base URL, starting with `/` (`/chat/completions`). */
  path: string;
  body?: Dispatcher.DispatchOptions['body'];
  contentType?: string;
  accept?: string;
  signal: AbortSignal;
}

/** The gateway's own headers for an OpenAI-dialect upstream. The client's Authorization is never
 * among them: the key is injected here and only here. */
export const openAIHeaders = (provider: ProviderConfig, contentType?: string, accept?: string): Record<string, string> => {
  // Object.assign, not a spread: keys added to a spread copy take V8's slow path (upstream/http-client.ts).
  const headers: Record<string, string> = Object.assign({}, provider.headers);
  if (provider.apiKey) headers.authorization = `Bearer ${provider.apiKey}`;
  if (contentType) headers['content-type'] = contentType;
  if (accept) headers.accept = accept;
  return headers;
};

/** Sends a request to an OpenAI-dialect upstream. A 4xx/5xx becomes a GatewayError carrying the
 * upstream's status, message and Retry-After; the success body is left to the caller to stream. */
export const forwardToOpenAI = async (provider: ProviderConfig, options: ForwardOptions): Promise<UpstreamResponse> =>
  refuseErrorStatus(await sendUpstream(Object.assign(upstreamRequest(provider, options), { signal: options.signal })), provider);

/** The same for the chat fast lane, whose body comes chunk by chunk and whose client is watched
 * without an AbortSignal (upstream/open-upstream.ts). */
export const dispatchToOpenAI = async (provider: ProviderConfig, options: Omit<ForwardOptions, 'signal'> & { client: ClientWatch }): Promise<OpenedUpstream> =>
  refuseErrorStatus(await openUpstream(Object.assign(upstreamRequest(provider, options), { client: options.client })), provider);

const upstreamRequest = (provider: ProviderConfig, options: Omit<ForwardOptions, 'signal'>): Omit<UpstreamRequest, 'signal'> => ({
  url: provider.baseUrl + options.path,
  method: options.method,
  headers: openAIHeaders(provider, options.contentType, options.accept),
  body: options.body,
  timeouts: provider.timeouts,
});

const refuseErrorStatus = async <Answer extends { statusCode: number; headers: UpstreamResponse['headers']; body: { text(): Promise<string> } }>(response: Answer, provider: ProviderConfig): Promise<Answer> => {
  if (response.statusCode >= 400) {
    const text = await response.body.text().catch(() => '');
    throw errorFromUpstream(response.statusCode, response.headers, text, provider.id);
  }
  return response;
};
