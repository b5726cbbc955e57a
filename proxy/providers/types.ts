export type Dialect = 'openai' | 'anthropic' | 'gemini';

/** A configured upstream. `apiKey` lives only here, in memory; it is never logged or serialised. */
export interface ProviderConfig {
  id: string;
  dialect: Dialect;
  /** OpenAI dialect: includes the version path (https://modapi.ai/v1). Anthropic, Gemini: host root. */
  baseUrl: string;
  apiKey?: string;
  /** Whether the provider works without a key (local servers such as Ollama). */
  keyOptional: boolean;
  /** What the user sets to give this provider a key; shown in the 401 when it is missing. */
  keyHint: string;
  /** Extra headers every upstream request carries. */
  headers?: Record<string, string>;
  /** Whether the upstream accepts `stream_options.include_usage` (most OpenAI-like hosts do). */
  streamUsageOption: boolean;
  /** Whether `/v1/responses` is relayed to the host's own Responses API (presets.ts) rather than
   * translated to a chat request. */
  responsesApi?: boolean;
  /** This gateway's upstream timeouts; absent: the process-wide ones (upstream/http-client.ts). */
  timeouts?: { headersMs: number; bodyMs: number };
}
