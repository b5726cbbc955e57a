import type { AnswerFormat } from '../../pipeline/answer-format.js';
import type { ClientToolName } from './decode-tools.js';
import { ResponsesEventEncoder } from './encode-stream.js';
import { responsesErrorObject } from './errors.js';
import type { ReasoningSeal } from './reasoning-seal.js';
import type { ResponsesObject, ResponsesRequest, ResponsesStreamEvent } from './wire-types.js';

export interface ResponsesAnswerOptions {
  /** `resp_...`, made from the gateway's request id. */
  responseId: string;
  /** The model id as the client named it. */
  model: string;
  request: ResponsesRequest;
  /** Whether the response is kept for previous_response_id (echoed as `store`). */
  stored: boolean;
  toolNames: ReadonlyMap<string, ClientToolName>;
  seal: ReasoningSeal;
}

/** The response object as it starts: the request's settings echoed, as OpenAI's are. */
export const createdResponse = (options: ResponsesAnswerOptions): ResponsesObject => {
  const { request } = options;
  return {
    id: options.responseId,
    object: 'response',
    created_at: Math.floor(Date.now() / 1000),
    status: 'in_progress',
    completed_at: null,
    error: null,
    incomplete_details: null,
    instructions: request.instructions ?? null,
    max_output_tokens: request.max_output_tokens ?? null,
    model: options.model,
    output: [],
    parallel_tool_calls: request.parallel_tool_calls ?? true,
    previous_response_id: request.previous_response_id ?? null,
    reasoning: { effort: request.reasoning?.effort ?? null, summary: request.reasoning?.summary ?? null },
    store: options.stored,
    temperature: request.temperature ?? null,
    text: { format: request.text?.format ?? { type: 'text' } },
    tool_choice: request.tool_choice ?? 'auto',
    tools: request.tools ?? [],
    top_p: request.top_p ?? null,
    truncation: 'disabled',
    usage: null,
    user: request.user ?? null,
    metadata: request.metadata ?? {},
  };
};

/** Responses' SSE framing: an `event:` line naming the type, then the JSON. */
const formatEvents = (events: readonly ResponsesStreamEvent[]): string => {
  let text = '';
  for (const event of events) text += `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;
  return text;
};

/** A Responses answer and the encoder behind it, whose `storedResponse` the route keeps once the
 * answer is complete. */
export interface ResponsesAnswer {
  format: AnswerFormat;
  encoder: ResponsesEventEncoder;
}

/** OpenAI's Responses answer: the response object, or its SSE events (created, in_progress, the
 * output items, completed); a stream broken midway ends with `error` and `response.failed`. */
export const responsesAnswerFormat = (options: ResponsesAnswerOptions): ResponsesAnswer => {
  const encoder = new ResponsesEventEncoder({
    response: createdResponse(options),
    toolNames: options.toolNames,
    seal: options.seal,
    showEncryptedContent: options.request.include?.includes('reasoning.encrypted_content') === true,
  });
  const format: AnswerFormat = {
    whole: async (parts) => {
      for await (const part of parts) {
        if (part.type === 'error') throw part.error;
        encoder.encode(part);
      }
      encoder.finish();
      return JSON.stringify(encoder.clientResponse());
    },
    opening: () => formatEvents(encoder.start()),
    encode: (part) => formatEvents(encoder.encode(part)),
    closing: () => formatEvents(encoder.finish()),
    failure: (error) => formatEvents(encoder.fail(responsesErrorObject(error))),
  };
  return { format, encoder };
};
