import type { TokenUsage } from '../adapters/types.js';

export type CostSource = 'upstream' | 'catalog' | 'unknown';

/** One ledger record: metadata only, never a prompt, an answer or a key. */
export interface UsageRecord {
  time: string;
  requestId: string;
  /** The local token's name (which tool), or `chat-view` for the editor's own chat. */
  client: string;
  endpoint: string;
  provider: string;
  model: string;
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
  latencyMs: number;
  timeToFirstTokenMs: number | null;
  errorCode: string | null;
}

/** What a request learnt about its own usage while it ran; turned into a record when it ends. */
export interface UsageObservation {
  usage?: TokenUsage;
  images?: number;
  audioSeconds?: number;
  videoSeconds?: number;
  characters?: number;
}

/** Where finished records go (the ledger, or nothing). Never throws into a request. */
export interface UsageSink {
  record(record: UsageRecord): void;
}

export const discardUsage: UsageSink = { record: () => undefined };
