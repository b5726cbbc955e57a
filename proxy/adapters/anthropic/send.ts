import type { ProviderConfig } from '../../providers/types.js';
import { sendUpstream, type UpstreamResponse } from '../../upstream/http-client.js';
import { errorFromAnthropicResponse } from '../../dialects/anthropic-messages/read-error.js';
import { anthropicHeaders, anthropicUrl } from '../../dialects/anthropic-messages/api.js';

/** Sends one request to Anthropic; a 4xx/5xx becomes an OpenAI-shaped GatewayError. */
export const sendToAnthropic = async (provider: ProviderConfig, options: { method?: 'GET' | 'POST'; path: string; body?: string; accept?: string; signal: AbortSignal }): Promise<UpstreamResponse> => {
  const headers = anthropicHeaders(provider, { accept: options.accept, contentType: options.body === undefined ? undefined : 'application/json' });
  const response = await sendUpstream({ url: anthropicUrl(provider, options.path), method: options.method, headers, body: options.body, signal: options.signal, timeouts: provider.timeouts });
  if (response.statusCode >= 400) {
    const text = await response.body.text().catch(() => '');
    throw errorFromAnthropicResponse(response.statusCode, response.headers, text, provider.id);
  }
  return response;
};
