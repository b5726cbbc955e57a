import type { GatewayError } from '../errors.js';
import type { ProviderConfig } from '../providers/types.js';
import type { ClientWatch } from '../upstream/client-watch.js';

/** The gateway's neutral chat request: OpenAI's chat body (the lingua franca), typed where the
 * gateway reads it; other fields ride along and OpenAI-dialect upstreams receive them unchanged. */
export interface ChatRequest {
  model: string;
  messages: ChatMessage[];
  stream?: boolean;
  stream_options?: { include_usage?: boolean } | null;
  tools?: ChatTool[];
  /** OpenAI's allowed_tools too; for upstreams with function tools only, pipeline/function-tools.ts. */
  tool_choice?: 'none' | 'auto' | 'required' | { type: 'function'; function: { name: string } } | { type: 'allowed_tools'; allowed_tools: { mode: 'auto' | 'required'; tools: ChatTool[] } };
  parallel_tool_calls?: boolean;
  response_format?: { type: 'text' | 'json_object' | 'json_schema'; json_schema?: { name: string; schema?: unknown; strict?: boolean } };
  temperature?: number;
  top_p?: number;
  max_tokens?: number;
  max_completion_tokens?: number;
  stop?: string | string[];
  n?: number;
  seed?: number;
  logprobs?: boolean;
  top_logprobs?: number;
  reasoning_effort?: 'minimal' | 'low' | 'medium' | 'high';
  user?: string;
  [extra: string]: unknown;
}

export type ChatContentPart =
  | { type: 'text'; text: string }
  | { type: 'image_url'; image_url: { url: string; detail?: string } }
  | { type: 'input_audio'; input_audio: { data: string; format: string } }
  | { type: string; [key: string]: unknown };

export interface ChatToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

export interface ChatMessage {
  role: 'system' | 'developer' | 'user' | 'assistant' | 'tool';
  content?: string | ChatContentPart[] | null;
  name?: string;
  tool_calls?: ChatToolCall[];
  tool_call_id?: string;
  reasoning_content?: string;
  [extra: string]: unknown;
}

export interface ChatTool {
  type: 'function';
  function: { name: string; description?: string; parameters?: Record<string, unknown>; strict?: boolean };
}

export type FinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter' | 'function_call';

/** Token counts with OpenAI's meaning whatever the upstream (see DESIGN.md, "Usage and cost"). */
export interface TokenUsage {
  promptTokens: number;
  completionTokens: number;
  /** Part of promptTokens read from a cache. */
  cachedTokens?: number;
  /** Part of promptTokens written to a cache (Anthropic cache_creation_input_tokens). */
  cacheCreationTokens?: number;
  /** Part of completionTokens spent on reasoning. */
  reasoningTokens?: number;
  /** What the upstream itself said the request cost, in USD, when it says so. */
  upstreamCostUsd?: number;
}

/** What a relayed answer says of how it ended (read by the relay lanes' observers for telemetry):
 * its finish reasons, one per choice, in OpenAI's words, and the model that answered. */
export interface AnswerFacts {
  finishReasons: string[];
  model?: string;
}

/** One event of a chat answer, as every reader (HTTP route, chat view, ledger) consumes it. */
export type ChatPart =
  | { type: 'response-metadata'; id?: string; model?: string; created?: number }
  | { type: 'text-delta'; choice: number; text: string }
  | { type: 'reasoning-delta'; choice: number; text: string; signature?: string }
  | { type: 'refusal-delta'; choice: number; text: string }
  | { type: 'tool-call-delta'; choice: number; index: number; id?: string; name?: string; argumentsDelta: string }
  /** `provisional`: what a stream's start said; its final count never came (the stream was cut). */
  | { type: 'usage'; usage: TokenUsage; provisional?: boolean }
  | { type: 'finish'; choice: number; reason: FinishReason }
  | { type: 'warning'; message: string }
  | { type: 'error'; error: GatewayError };

export interface AdapterContext {
  provider: ProviderConfig;
  /** The model id as the upstream knows it (the `provider/` prefix removed). */
  upstreamModel: string;
  /** The caller's client: whether it went away (an upstream request is aborted then). */
  client: ClientWatch;
}

export interface CatalogModel {
  /** Id as clients use it: bare for the default provider, `provider/model` otherwise. */
  id: string;
  provider: string;
  upstreamId: string;
  ownedBy?: string;
  name?: string;
  contextWindow?: number;
  maxOutputTokens?: number;
  modalities?: Modality[];
}

export type Modality = 'text' | 'vision' | 'image' | 'audio-speech' | 'audio-transcription' | 'video' | 'embedding';

export interface EmbeddingRequest {
  model: string;
  input: string | string[] | number[] | number[][];
  encoding_format?: 'float' | 'base64';
  dimensions?: number;
  user?: string;
}

export interface EmbeddingResponse {
  object: 'list';
  data: { object: 'embedding'; index: number; embedding: number[] | string }[];
  model: string;
  usage: { prompt_tokens: number; total_tokens: number };
}

export interface ImageGenerationRequest {
  model: string;
  prompt: string;
  n?: number;
  size?: string;
  response_format?: 'url' | 'b64_json';
  [extra: string]: unknown;
}

export interface ImageGenerationResponse {
  created: number;
  data: { b64_json?: string; url?: string; revised_prompt?: string }[];
  usage?: unknown;
}

/** The client APIs an adapter serves by relaying its upstream's own bytes (the fast lanes):
 * OpenAI's chat completions; OpenAI's other endpoints (completions, embeddings, images, audio,
 * videos); OpenAI's Responses API, for a provider whose host serves it (ProviderConfig's
 * `responsesApi`); Anthropic's Messages (and count_tokens); Gemini's generateContent family
 * (streamGenerateContent, countTokens, embedContent, batchEmbedContents). Routes ask an adapter
 * this; they never compare dialect names. */
export type RelayedApi = 'openai-chat' | 'openai-endpoints' | 'openai-responses' | 'anthropic-messages' | 'gemini-generate';

/** An adapter speaks one upstream dialect. It never writes to a client and never touches express. */
export interface ProviderAdapter {
  readonly dialect: 'openai' | 'anthropic' | 'gemini';
  readonly relays: ReadonlySet<RelayedApi>;
  listModels(provider: ProviderConfig, signal: AbortSignal): Promise<CatalogModel[]>;
  chat(request: ChatRequest, context: AdapterContext): AsyncIterable<ChatPart>;
  embed?(request: EmbeddingRequest, context: AdapterContext): Promise<EmbeddingResponse>;
  generateImage?(request: ImageGenerationRequest, context: AdapterContext): Promise<ImageGenerationResponse>;
}
