import type { ProviderConfig } from '../../providers/types.js';
import { sendUpstream, type UpstreamResponse } from '../../upstream/http-client.js';
import { errorFromAnthropicResponse } from '../../dialects/anthropic-messages/read-error.js';
import { ANTHROPIC_VERSION } from '../../dialects/anthropic-messages/wire-types.js';

/** The gateway's headers for Anthropic: the key goes in x-api-key, injected here and only here
 * (a client's Authorization is never forwarded). */
export const anthropicHeaders = (provider: ProviderConfig, accept = 'application/json'): Record<string, string> => {
  // Object.assign, not a spread: keys added after a spread take V8's slow path (upstream/http-client.ts).
  const headers: Record<string, string> = Object.assign({ 'anthropic-version': ANTHROPIC_VERSION }, provider.headers, { accept });
  if (provider.apiKey) headers['x-api-key'] = provider.apiKey;
  return headers;
};

/** ANTHROPIC_BASE_URL is the host root (the SDK's convention); one given with OpenAI's habit of a
 * trailing /v1 still works rather than reaching /v1/v1/messages. */
export const anthropicRoot = (baseUrl: string): string => baseUrl.replace(/\/+$/, '').replace(/\/v1$/, '');

/** Sends one request to Anthropic; a 4xx/5xx becomes an OpenAI-shaped GatewayError. */
export const sendToAnthropic = async (provider: ProviderConfig, options: { method?: 'GET' | 'POST'; path: string; body?: string; accept?: string; signal: AbortSignal }): Promise<UpstreamResponse> => {
  const headers = anthropicHeaders(provider, options.accept);
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const response = await sendUpstream({ url: anthropicRoot(provider.baseUrl) + options.path, method: options.method, headers, body: options.body, signal: options.signal, timeouts: provider.timeouts });
  if (response.statusCode >= 400) {
    const text = await response.body.text().catch(() => '');
    throw errorFromAnthropicResponse(response.statusCode, response.headers, text, provider.id);
  }
  return response;
};
