import { GatewayError } from '../../errors.js';
import type { ProviderConfig } from '../../providers/types.js';
import { isAbort, sendUpstream, type UpstreamResponse } from '../../upstream/http-client.js';
import { geminiHeaders, geminiUrl } from '../../dialects/gemini/api.js';
import { geminiError } from '../../dialects/gemini/read-error.js';

export interface GeminiCall {
  method?: 'GET' | 'POST';
  /** Path under the host root, with the query if any (`/v1beta/models/x:generateContent`). */
  path: string;
  body?: unknown;
  accept?: string;
  signal: AbortSignal;
}

/** Sends one request to Gemini. A 4xx/5xx becomes a GatewayError (whatever the content type says:
 * a failed stream answers JSON under text/event-stream); a success body is left to the caller. */
export const callGemini = async (provider: ProviderConfig, call: GeminiCall): Promise<UpstreamResponse> => {
  const response = await sendUpstream({
    url: geminiUrl(provider, call.path),
    method: call.method ?? 'POST',
    headers: geminiHeaders(provider, call.body !== undefined, call.accept),
    body: call.body === undefined ? undefined : JSON.stringify(call.body),
    signal: call.signal,
    timeouts: provider.timeouts,
  });
  if (response.statusCode >= 400) {
    const text = await response.body.text().catch(() => '');
    throw geminiError(response.statusCode, response.headers, text, provider.id);
  }
  return response;
};

/** A success body as JSON; anything else is the upstream's fault (502), not the gateway's. */
export const readGeminiJson = async <T>(response: UpstreamResponse, providerId: string): Promise<T> => {
  let text: string;
  try {
    text = await response.body.text();
  } catch (error) {
    if (isAbort(error)) throw error;
    throw GatewayError.upstreamBrokeOff(providerId, error);
  }
  try {
    return JSON.parse(text) as T;
  } catch {
    throw GatewayError.badUpstreamBody(providerId, 'a body that is not JSON');
  }
};
