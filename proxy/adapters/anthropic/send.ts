import type { IncomingHttpHeaders } from 'node:http';
import type { ProviderConfig } from '../../providers/types.js';
import { sendUpstream, type UpstreamRequest, type UpstreamResponse } from '../../upstream/http-client.js';
import type { ClientWatch } from '../../upstream/client-watch.js';
import { openUpstream, type OpenedUpstream } from '../../upstream/open-upstream.js';
import { refuseErrorStatus } from '../../upstream/upstream-error.js';
import { errorFromAnthropicResponse } from '../../dialects/anthropic-messages/read-error.js';
import { anthropicHeaders, anthropicUrl } from '../../dialects/anthropic-messages/api.js';

interface AnthropicCall {
  method?: 'GET' | 'POST';
  path: string;
  body?: string;
  accept?: string;
}

const upstreamRequest = (provider: ProviderConfig, options: AnthropicCall): Omit<UpstreamRequest, 'signal'> => ({
  url: anthropicUrl(provider, options.path),
  method: options.method,
  headers: anthropicHeaders(provider, { accept: options.accept, contentType: options.body === undefined ? undefined : 'application/json' }),
  body: options.body,
  timeouts: provider.timeouts,
});

/** A 4xx/5xx becomes an OpenAI-shaped GatewayError. */
const anthropicErrorOf = (provider: ProviderConfig) => (status: number, headers: IncomingHttpHeaders, text: string) => errorFromAnthropicResponse(status, headers, text, provider.id);

/** Sends one request to Anthropic. */
export const sendToAnthropic = async (provider: ProviderConfig, options: AnthropicCall & { signal: AbortSignal }): Promise<UpstreamResponse> =>
  refuseErrorStatus(await sendUpstream({ ...upstreamRequest(provider, options), signal: options.signal }), anthropicErrorOf(provider));

/** The same for a model call, whose body comes chunk by chunk (sse/read-chunk-events.ts) and whose
 * client is watched without an AbortSignal (upstream/open-upstream.ts). */
export const openToAnthropic = async (provider: ProviderConfig, options: AnthropicCall & { client: ClientWatch }): Promise<OpenedUpstream> =>
  refuseErrorStatus(await openUpstream({ ...upstreamRequest(provider, options), client: options.client, providerId: provider.id }), anthropicErrorOf(provider));
