/** OpenAI's Responses API as the gateway reads and writes it: what clients send (`POST
 * /v1/responses`), the response object and the SSE events the gateway writes. Typed where the
 * gateway reads a field; everything else rides along untyped. */

export interface ResponsesInputText {
  type: 'input_text' | 'output_text' | 'text';
  text: string;
}
export interface ResponsesInputImage {
  type: 'input_image';
  image_url?: string | null;
  file_id?: string | null;
  detail?: string;
}
export interface ResponsesInputFile {
  type: 'input_file';
  file_data?: string;
  file_id?: string | null;
  file_url?: string;
  filename?: string;
}
export type ResponsesContentPart = ResponsesInputText | ResponsesInputImage | ResponsesInputFile | { type: 'refusal'; refusal: string };

export interface ResponsesMessageItem {
  type?: 'message';
  id?: string;
  role: 'user' | 'assistant' | 'system' | 'developer';
  content: string | ResponsesContentPart[];
  status?: string;
  phase?: string;
}
export interface ResponsesFunctionCallItem {
  type: 'function_call';
  id?: string;
  call_id: string;
  name: string;
  namespace?: string;
  arguments: string;
  status?: string;
}
export interface ResponsesFunctionCallOutputItem {
  type: 'function_call_output';
  id?: string;
  call_id: string;
  output: string | ResponsesContentPart[];
  status?: string;
}
export interface ResponsesSummaryText {
  type: 'summary_text';
  text: string;
}
export interface ResponsesReasoningItem {
  type: 'reasoning';
  id?: string;
  summary: ResponsesSummaryText[];
  encrypted_content?: string | null;
  content?: { type: 'reasoning_text'; text: string }[];
  status?: string;
}
/** An `item_reference` points at an item of a stored response (the SDKs send it with store on). */
export interface ResponsesItemReference {
  type: 'item_reference';
  id: string;
}
export type ResponsesInputItem = ResponsesMessageItem | ResponsesFunctionCallItem | ResponsesFunctionCallOutputItem | ResponsesReasoningItem | ResponsesItemReference;

export interface ResponsesFunctionTool {
  type: 'function';
  name: string;
  description?: string | null;
  parameters?: Record<string, unknown> | null;
  strict?: boolean | null;
}
export interface ResponsesNamespaceTool {
  type: 'namespace';
  name: string;
  description?: string;
  tools: (ResponsesFunctionTool | { type: string; name: string; [field: string]: unknown })[];
}
export type ResponsesTool = ResponsesFunctionTool | ResponsesNamespaceTool | { type: string; [field: string]: unknown };

export type ResponsesToolChoice = 'none' | 'auto' | 'required' | { type: 'function'; name: string; namespace?: string } | { type: string; [field: string]: unknown };

export interface ResponsesTextFormat {
  type: 'text' | 'json_object' | 'json_schema';
  name?: string;
  schema?: Record<string, unknown>;
  strict?: boolean | null;
  description?: string;
}

export interface ResponsesRequest {
  model: string;
  input?: string | ResponsesInputItem[];
  instructions?: string | null;
  stream?: boolean | null;
  store?: boolean | null;
  previous_response_id?: string | null;
  tools?: ResponsesTool[] | null;
  tool_choice?: ResponsesToolChoice | null;
  parallel_tool_calls?: boolean | null;
  text?: { format?: ResponsesTextFormat; verbosity?: string } | null;
  reasoning?: { effort?: string | null; summary?: string | null } | null;
  max_output_tokens?: number | null;
  temperature?: number | null;
  top_p?: number | null;
  metadata?: Record<string, string> | null;
  user?: string | null;
  safety_identifier?: string | null;
  include?: string[] | null;
  prompt_cache_key?: string | null;
  [extra: string]: unknown;
}

export interface ResponsesOutputText {
  type: 'output_text';
  text: string;
  annotations: unknown[];
  logprobs: unknown[];
}
export interface ResponsesOutputMessage {
  type: 'message';
  id: string;
  status: 'in_progress' | 'completed' | 'incomplete';
  role: 'assistant';
  content: (ResponsesOutputText | { type: 'refusal'; refusal: string })[];
}
export interface ResponsesOutputFunctionCall {
  type: 'function_call';
  id: string;
  status: 'in_progress' | 'completed' | 'incomplete';
  call_id: string;
  name: string;
  namespace?: string;
  arguments: string;
}
export interface ResponsesOutputReasoning {
  type: 'reasoning';
  id: string;
  summary: ResponsesSummaryText[];
  encrypted_content?: string;
  status?: 'in_progress' | 'completed' | 'incomplete';
}
export type ResponsesOutputItem = ResponsesOutputMessage | ResponsesOutputFunctionCall | ResponsesOutputReasoning;

/** Usage in the Responses API's own meaning: input counts every input token (cached ones
 * included), output every output token (reasoning included). */
export interface ResponsesUsage {
  input_tokens: number;
  input_tokens_details: { cached_tokens: number };
  output_tokens: number;
  output_tokens_details: { reasoning_tokens: number };
  total_tokens: number;
}

export type ResponsesStatus = 'in_progress' | 'completed' | 'incomplete' | 'failed';

export interface ResponsesObject {
  id: string;
  object: 'response';
  created_at: number;
  status: ResponsesStatus;
  completed_at: number | null;
  error: { code: string; message: string } | null;
  incomplete_details: { reason: 'max_output_tokens' | 'content_filter' } | null;
  instructions: string | null;
  max_output_tokens: number | null;
  model: string;
  output: ResponsesOutputItem[];
  parallel_tool_calls: boolean;
  previous_response_id: string | null;
  reasoning: { effort: string | null; summary: string | null };
  store: boolean;
  temperature: number | null;
  text: { format: ResponsesTextFormat };
  tool_choice: unknown;
  tools: unknown[];
  top_p: number | null;
  truncation: 'disabled';
  usage: ResponsesUsage | null;
  user: string | null;
  metadata: Record<string, string>;
}

/** One SSE event of a Responses stream; `type` names it and every event has its sequence number. */
export interface ResponsesStreamEvent {
  type: string;
  sequence_number: number;
  [field: string]: unknown;
}
