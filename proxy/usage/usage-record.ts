import type { TokenUsage } from '../adapters/types.js';

/** Where a record's cost came from: the upstream's own figure, the catalog's price applied to
 * reported counts, the catalog's price applied to an estimate (a stream cut before the upstream
 * reported usage), nothing billable (refused before or by the upstream), or unknown. */
export type CostSource = 'upstream' | 'catalog' | 'estimate' | 'none' | 'unknown';

/** One ledger record: metadata only, never a prompt, an answer, a key or a token. */
export interface UsageRecord {
  time: string;
  requestId: string;
  /** The local token's name (which tool), or `chat-view` for the editor's own chat. */
  client: string;
  endpoint: string;
  /** The provider that served (after any fallback). */
  provider: string;
  /** The upstream model id that served (after any fallback). */
  model: string;
  /** The model id the client asked for; differs from provider/model after a fallback. */
  requestedModel: string;
  stream: boolean;
  status: number;
  promptTokens: number;
  completionTokens: number;
  cachedTokens: number;
  cacheCreationTokens: number;
  reasoningTokens: number;
  images: number;
  audioSeconds: number;
  videoSeconds: number;
  characters: number;
  costUsd: number | null;
  costSource: CostSource;
  /** Which figure or price table (with its date) the cost comes from. */
  costSourceDetail: string | null;
  /** Only when the cost is unknown: what budgets count it as (what the request reserved). */
  fallbackCostUsd?: number;
  latencyMs: number;
  timeToFirstTokenMs: number | null;
  errorCode: string | null;
  /** Cost attribution from the request (`x-modapi-tags`, or a dialect's metadata fields): short
   * keys and values, bounded in count, validated before they get here. Absent when none. */
  tags?: UsageTags;
  /** The calling token's team (from the config or the store). Absent when the token has none. */
  team?: string;
  /** The end user the client named (OpenAI `user`, Anthropic `metadata.user_id`, a `user` tag). */
  user?: string;
}

/** Tag key to value, e.g. `{feature: "summarize", customer: "acme"}`. */
export type UsageTags = Readonly<Record<string, string>>;

/** What a request learnt about its own usage while it ran; turned into a record when it ends. */
export interface UsageObservation {
  usage?: TokenUsage;
  images?: number;
  audioSeconds?: number;
  videoSeconds?: number;
  characters?: number;
  /** The answer's finish reasons as the client dialect's observers saw them (for telemetry). */
  finishReasons?: string[];
  /** The model the upstream said answered, when it said so (for telemetry). */
  responseModel?: string;
}

/** Where finished records go (the ledger, or nothing). Never throws into a request. */
export interface UsageSink {
  record(record: UsageRecord): void;
}

export const discardUsage: UsageSink = { record: () => undefined };

/** Every sink gets every record; one failing does not keep the others from theirs. */
export const teeUsage = (...sinks: UsageSink[]): UsageSink => ({
  record: (record) => {
    let failure: unknown;
    for (const sink of sinks) {
      try {
        sink.record(record);
      } catch (error) {
        failure ??= error;
      }
    }
    if (failure) throw failure;
  },
});
