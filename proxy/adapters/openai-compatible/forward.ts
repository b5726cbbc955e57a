import type { Dispatcher } from 'undici';
import { openAIHeaders, openAIUrl } from '../../dialects/openai-chat/api.js';
import type { ProviderConfig } from '../../providers/types.js';
import { sendUpstream, type UpstreamRequest, type UpstreamResponse } from '../../upstream/http-client.js';
import type { ClientWatch } from '../../upstream/client-watch.js';
import { openUpstream, type OpenedUpstream } from '../../upstream/open-upstream.js';
import { errorFromUpstream, refuseErrorStatus } from '../../upstream/upstream-error.js';

export interface ForwardOptions {
  method?: 'GET' | 'POST' | 'DELETE';
  /** Path under the provider's base URL, starting with `/` (`/chat/completions`). */
  path: string;
  body?: Dispatcher.DispatchOptions['body'];
  contentType?: string;
  accept?: string;
  signal: AbortSignal;
}

/** Sends a request to an OpenAI-dialect upstream. A 4xx/5xx becomes a GatewayError carrying the
 * upstream's status, message and Retry-After; the success body is left to the caller to stream. */
export const forwardToOpenAI = async (provider: ProviderConfig, options: ForwardOptions): Promise<UpstreamResponse> =>
  refuseErrorStatus(await sendUpstream(Object.assign(upstreamRequest(provider, options), { signal: options.signal })), openAIErrorOf(provider));

/** The same for a model call, whose body comes chunk by chunk and whose client is watched
 * without an AbortSignal (upstream/open-upstream.ts). */
export const dispatchToOpenAI = async (provider: ProviderConfig, options: Omit<ForwardOptions, 'signal'> & { client: ClientWatch }): Promise<OpenedUpstream> =>
  refuseErrorStatus(await openUpstream(Object.assign(upstreamRequest(provider, options), { client: options.client, providerId: provider.id })), openAIErrorOf(provider));

/** A 4xx/5xx becomes a GatewayError carrying the upstream's status, message and Retry-After. */
const openAIErrorOf = (provider: ProviderConfig) => (status: number, headers: UpstreamResponse['headers'], text: string) => errorFromUpstream(status, headers, text, provider.id);

const upstreamRequest = (provider: ProviderConfig, options: Omit<ForwardOptions, 'signal'>): Omit<UpstreamRequest, 'signal'> => ({
  url: openAIUrl(provider, options.path),
  method: options.method,
  headers: openAIHeaders(provider, options.contentType, options.accept),
  body: options.body,
  timeouts: provider.timeouts,
});

