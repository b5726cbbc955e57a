import type { ChatPart } from '../adapters/types.js';

/** How one client dialect writes an answer made of neutral parts: whole (one JSON body) or as SSE.
 * A dialect's module builds one per request (its ids, model, options); the HTTP sink writes it. */
export interface AnswerFormat {
  /** The parts folded into the dialect's JSON answer; an error part throws. */
  whole(parts: AsyncIterable<ChatPart>): Promise<string>;
  /** SSE text before the first part (Anthropic's message_start), or ''. */
  opening(): string;
  /** SSE text for one part (often one event, sometimes none). */
  encode(part: ChatPart): string;
  /** SSE text after the last part (OpenAI's [DONE], Anthropic's message_stop). */
  closing(): string;
  /** A comment or ping written while the upstream is silent, for dialects whose clients expect one. */
  keepAlive?: { text: string; everyMs: number };
  /** A streamed answer's content type when it is not SSE (Gemini's JSON-array stream). */
  streamContentType?: string;
}
