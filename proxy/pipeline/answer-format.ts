import type { ChatPart } from '../adapters/types.js';
import type { GatewayError } from '../errors.js';

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
  /** SSE text that ends a stream broken after it began, for a dialect whose last events depend on
   * the stream so far (Responses: sequence numbers, the response failed); else the error exit
   * writes its dialect's error event. The error is already public (redacted). */
  failure?(error: GatewayError): string;
  /** A comment or ping written while the upstream is silent, for dialects whose clients expect one. */
  keepAlive?: { text: string; everyMs: number };
  /** A streamed answer's content type when it is not SSE (Gemini's JSON-array stream). */
  streamContentType?: string;
}
