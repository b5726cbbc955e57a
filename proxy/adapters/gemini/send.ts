import { GatewayError } from '../../errors.js';
import type { ProviderConfig } from '../../providers/types.js';
import type { IncomingHttpHeaders } from 'node:http';
import { readWholeText, sendUpstream, type UpstreamRequest, type UpstreamResponse } from '../../upstream/http-client.js';
import type { ClientWatch } from '../../upstream/client-watch.js';
import { openUpstream, type OpenedUpstream } from '../../upstream/open-upstream.js';
import { refuseErrorStatus } from '../../upstream/upstream-error.js';
import { geminiHeaders, geminiUrl } from '../../dialects/gemini/api.js';
import { geminiError } from '../../dialects/gemini/read-error.js';

export interface GeminiCall {
  method?: 'GET' | 'POST';
  /** Path under the host root, with the query if any (`/v1beta/models/x:generateContent`). */
  path: string;
  body?: unknown;
  accept?: string;
}

const upstreamRequest = (provider: ProviderConfig, call: GeminiCall): Omit<UpstreamRequest, 'signal'> => ({
  url: geminiUrl(provider, call.path),
  method: call.method ?? 'POST',
  headers: geminiHeaders(provider, call.body !== undefined, call.accept),
  body: call.body === undefined ? undefined : JSON.stringify(call.body),
  timeouts: provider.timeouts,
});

/** A 4xx/5xx becomes a GatewayError (whatever the content type says: a failed stream answers JSON
 * under text/event-stream); a success body is left to the caller. */
const geminiErrorOf = (provider: ProviderConfig) => (status: number, headers: IncomingHttpHeaders, text: string) => geminiError(status, headers, text, provider.id);

/** Sends one request to Gemini. */
export const callGemini = async (provider: ProviderConfig, call: GeminiCall & { signal: AbortSignal }): Promise<UpstreamResponse> =>
  refuseErrorStatus(await sendUpstream({ ...upstreamRequest(provider, call), signal: call.signal }), geminiErrorOf(provider));

/** The same for a model call, whose body comes chunk by chunk (sse/read-chunk-events.ts) and whose
 * client is watched without an AbortSignal (upstream/open-upstream.ts). */
export const openGemini = async (provider: ProviderConfig, call: GeminiCall & { client: ClientWatch }): Promise<OpenedUpstream> =>
  refuseErrorStatus(await openUpstream({ ...upstreamRequest(provider, call), client: call.client, providerId: provider.id }), geminiErrorOf(provider));

/** A success body as JSON; anything else is the upstream's fault (502), not the gateway's. */
export const readGeminiJson = async <T>(response: { body: { text(): Promise<string> } }, providerId: string): Promise<T> => {
  const text = await readWholeText(response.body, providerId);
  try {
    return JSON.parse(text) as T;
  } catch {
    throw GatewayError.badUpstreamBody(providerId, 'a body that is not JSON');
  }
};
