/** The parts of Anthropic's Messages API the adapter reads and writes (https://docs.anthropic.com/en/api/messages).
 * Fields the adapter ignores are left out; unknown ones pass through untouched. */

export type AnthropicImageSource = { type: 'base64'; media_type: string; data: string } | { type: 'url'; url: string };

export interface AnthropicTextBlock {
  type: 'text';
  text: string;
  cache_control?: unknown;
}

export type AnthropicContentBlock =
  | AnthropicTextBlock
  | { type: 'image'; source: AnthropicImageSource }
  | { type: 'document'; source: AnthropicImageSource }
  | { type: 'thinking'; thinking: string; signature: string }
  | { type: 'redacted_thinking'; data: string }
  | { type: 'tool_use'; id: string; name: string; input: unknown }
  | { type: 'tool_result'; tool_use_id: string; content: string | AnthropicContentBlock[]; is_error?: boolean };

export interface AnthropicMessage {
  role: 'user' | 'assistant';
  content: string | AnthropicContentBlock[];
}

export interface AnthropicTool {
  name: string;
  description?: string;
  input_schema: Record<string, unknown>;
}

export type AnthropicToolChoice =
  | { type: 'auto'; disable_parallel_tool_use?: boolean }
  | { type: 'any'; disable_parallel_tool_use?: boolean }
  | { type: 'tool'; name: string; disable_parallel_tool_use?: boolean }
  | { type: 'none' };

export interface AnthropicRequest {
  model: string;
  messages: AnthropicMessage[];
  max_tokens: number;
  system?: AnthropicTextBlock[];
  tools?: AnthropicTool[];
  tool_choice?: AnthropicToolChoice;
  /** `enabled` with a budget; newer models also take `adaptive` (no budget). */
  thinking?: { type: string; budget_tokens?: number };
  temperature?: number;
  top_p?: number;
  top_k?: number;
  stop_sequences?: string[];
  metadata?: { user_id?: string };
  /** Structured output: the answer's text follows this JSON schema. */
  output_config?: { format: { type: 'json_schema'; schema: Record<string, unknown> } };
  stream?: boolean;
}

export interface AnthropicUsage {
  input_tokens?: number | null;
  output_tokens?: number | null;
  cache_read_input_tokens?: number | null;
  cache_creation_input_tokens?: number | null;
  /** Newer models say how many of output_tokens were thinking. */
  output_tokens_details?: { thinking_tokens?: number | null } | null;
}

/** A whole (non-streamed) answer, and the `message` of a stream's `message_start`. */
export interface AnthropicResponseMessage {
  id?: string;
  type?: 'message';
  model?: string;
  content: { type: string; [field: string]: unknown }[];
  stop_reason?: string | null;
  usage?: AnthropicUsage;
}

export interface AnthropicErrorPayload {
  type: 'error';
  error?: { type?: string; message?: string };
}

/** The stream events, by `type`. Anything else (new event types) is ignored by the decoder. */
export type AnthropicStreamEvent =
  | { type: 'message_start'; message: AnthropicResponseMessage }
  | { type: 'content_block_start'; index: number; content_block: { type: string; [field: string]: unknown } }
  | { type: 'content_block_delta'; index: number; delta: { type: string; [field: string]: unknown } }
  | { type: 'content_block_stop'; index: number }
  | { type: 'message_delta'; delta: { stop_reason?: string | null }; usage?: AnthropicUsage }
  | { type: 'message_stop' }
  | { type: 'ping' }
  | AnthropicErrorPayload;

export const ANTHROPIC_VERSION = '2023-06-01';
