import { madeUpToolCallId } from '../../pipeline/tool-call-id.js';
import type { ChatPart, FinishReason, TokenUsage } from '../../adapters/types.js';
import type { ClientToolName } from './decode-tools.js';
import { outputItemId } from './item-ids.js';
import type { ReasoningSeal, SealedReasoningBlock } from './reasoning-seal.js';
import { usageToResponses } from './usage.js';
import type { ResponsesObject, ResponsesOutputFunctionCall, ResponsesOutputItem, ResponsesOutputMessage, ResponsesOutputReasoning, ResponsesStreamEvent } from './wire-types.js';

export interface ResponsesEncoderOptions {
  /** The response object as created (id, model, the request's echoed fields), status in_progress. */
  response: ResponsesObject;
  /** Upstream function names -> the client's (namespaced tools). */
  toolNames: ReadonlyMap<string, ClientToolName>;
  seal: ReasoningSeal;
  /** Whether the client asked for `reasoning.encrypted_content`; the gateway's own copy (stored for
   * previous_response_id) always has it. */
  showEncryptedContent: boolean;
}

type Event = Omit<ResponsesStreamEvent, 'sequence_number'>;

interface OpenReasoning {
  item: ResponsesOutputReasoning;
  index: number;
  text: string;
  blocks: SealedReasoningBlock[];
}
interface OpenMessage {
  item: ResponsesOutputMessage;
  index: number;
  text: string;
  /** A refusal is its own content part (`refusal`), which structured-output readers do not parse. */
  kind: 'output_text' | 'refusal';
}
interface OpenCall {
  item: ResponsesOutputFunctionCall;
  index: number;
}

const INCOMPLETE: Partial<Record<FinishReason, 'max_output_tokens' | 'content_filter'>> = { length: 'max_output_tokens', content_filter: 'content_filter' };

/** Turns neutral parts into the Responses API's stream events, in its documented order: an output
 * item is added, its content streams, then it is done, before the next item is added (function
 * calls of one turn stay open together, since a chat upstream may interleave them). The response
 * object is built alongside, so a whole answer is the same events folded. */
export class ResponsesEventEncoder {
  private sequence = 0;
  private reasoning?: OpenReasoning;
  private message?: OpenMessage;
  private readonly calls = new Map<number, OpenCall>();
  private usage?: TokenUsage;
  private finishReason?: FinishReason;

  constructor(private readonly options: ResponsesEncoderOptions) {}

  /** The response with everything the gateway keeps (the sealed reasoning always). */
  get storedResponse(): ResponsesObject {
    return this.options.response;
  }

  /** The response as the client sees it. */
  clientResponse(): ResponsesObject {
    return this.snapshot();
  }

  start(): ResponsesStreamEvent[] {
    return [this.event({ type: 'response.created', response: this.snapshot() }), this.event({ type: 'response.in_progress', response: this.snapshot() })];
  }

  encode(part: ChatPart): ResponsesStreamEvent[] {
    // One answer per response: the Responses API has no choices.
    if ('choice' in part && part.choice !== 0) return [];
    switch (part.type) {
      case 'reasoning-delta':
        return this.reasoningDelta(part.text, part.signature);
      case 'text-delta':
        return part.text ? this.textDelta(part.text) : [];
      case 'refusal-delta':
        return part.text ? this.textDelta(part.text, 'refusal') : [];
      case 'tool-call-delta':
        return this.toolCallDelta(part);
      case 'usage':
        this.usage = part.usage;
        return [];
      case 'finish':
        this.finishReason = part.reason;
        return [];
      default:
        return [];
    }
  }

  /** Closes what is open and ends the stream: response.completed, or response.incomplete when the
   * upstream stopped at the token limit or a content filter. */
  finish(): ResponsesStreamEvent[] {
    const events = this.closeAll();
    const reason = this.finishReason ? INCOMPLETE[this.finishReason] : undefined;
    const response = this.options.response;
    response.status = reason ? 'incomplete' : 'completed';
    response.incomplete_details = reason ? { reason } : null;
    response.completed_at = Math.floor(Date.now() / 1000);
    if (this.usage) response.usage = usageToResponses(this.usage);
    events.push(this.event({ type: reason ? 'response.incomplete' : 'response.completed', response: this.snapshot() }));
    return events;
  }

  /** The stream's last events when it fails after it began: the `error` event (with the nested
   * `error` object recorded OpenAI streams carry as well as the documented top-level fields), then
   * `response.failed` with the output so far. */
  fail(error: { code: string | null; message: string; type: string; param: string | null }): ResponsesStreamEvent[] {
    const events = [this.event({ type: 'error', code: error.code, message: error.message, param: error.param, error: { type: error.type, code: error.code, message: error.message, param: error.param } })];
    const response = this.options.response;
    response.status = 'failed';
    response.error = { code: error.code ?? error.type, message: error.message };
    events.push(this.event({ type: 'response.failed', response: this.snapshot() }));
    return events;
  }

  /** Numbers an event made for it here (every caller passes a fresh literal, so no copy is made). */
  private event(fields: Event): ResponsesStreamEvent {
    const event = fields as ResponsesStreamEvent;
    event.sequence_number = this.sequence++;
    return event;
  }

  /** A copy of what the encoder goes on changing: the response's own fields and each item's. The
   * encoder only ever replaces those fields (never edits a nested value in place), so one level of
   * copying suffices; a deep clone of the whole response cost more than the rest of a translated
   * answer. */
  private snapshot(): ResponsesObject {
    const response = this.options.response;
    return { ...response, output: response.output.map((item) => this.forClient(item)) };
  }

  private forClient(item: ResponsesOutputItem): ResponsesOutputItem {
    const copy = { ...item };
    if (copy.type === 'reasoning' && !this.options.showEncryptedContent) delete copy.encrypted_content;
    return copy;
  }

  private addItem(item: ResponsesOutputItem): { index: number; event: ResponsesStreamEvent } {
    const output = this.options.response.output;
    output.push(item);
    return { index: output.length - 1, event: this.event({ type: 'response.output_item.added', output_index: output.length - 1, item: this.forClient(item) }) };
  }

  private itemDone(item: ResponsesOutputItem, index: number): ResponsesStreamEvent {
    item.status = 'completed';
    return this.event({ type: 'response.output_item.done', output_index: index, item: this.forClient(item) });
  }

  private itemId(kind: string): string {
    return outputItemId(this.options.response.id, kind, this.options.response.output.length);
  }

  private reasoningDelta(text: string, signature: string | undefined): ResponsesStreamEvent[] {
    const events: ResponsesStreamEvent[] = [];
    if (!this.reasoning) {
      events.push(...this.closeAll());
      const item: ResponsesOutputReasoning = { type: 'reasoning', id: this.itemId('rs'), summary: [], status: 'in_progress' };
      const { index, event } = this.addItem(item);
      this.reasoning = { item, index, text: '', blocks: [{ text: '' }] };
      events.push(event);
    }
    const open = this.reasoning;
    const block = open.blocks.at(-1)!;
    // A signature ends its (Anthropic) thinking block; text after it starts the next one.
    if (text && block.signature) open.blocks.push({ text: '' });
    if (text) {
      if (open.text === '') events.push(this.event({ type: 'response.reasoning_summary_part.added', item_id: open.item.id, output_index: open.index, summary_index: 0, part: { type: 'summary_text', text: '' } }));
      open.text += text;
      open.blocks.at(-1)!.text += text;
      events.push(this.event({ type: 'response.reasoning_summary_text.delta', item_id: open.item.id, output_index: open.index, summary_index: 0, delta: text }));
    }
    if (signature) open.blocks.at(-1)!.signature = (open.blocks.at(-1)!.signature ?? '') + signature;
    return events;
  }

  private closeReasoning(): ResponsesStreamEvent[] {
    const open = this.reasoning;
    if (!open) return [];
    this.reasoning = undefined;
    const events: ResponsesStreamEvent[] = [];
    if (open.text) {
      const part = { type: 'summary_text' as const, text: open.text };
      events.push(this.event({ type: 'response.reasoning_summary_text.done', item_id: open.item.id, output_index: open.index, summary_index: 0, text: open.text }));
      events.push(this.event({ type: 'response.reasoning_summary_part.done', item_id: open.item.id, output_index: open.index, summary_index: 0, part }));
      open.item.summary = [part];
    }
    open.item.encrypted_content = this.options.seal.seal(open.blocks.filter((block) => block.text || block.signature));
    events.push(this.itemDone(open.item, open.index));
    return events;
  }

  private textDelta(text: string, kind: OpenMessage['kind'] = 'output_text'): ResponsesStreamEvent[] {
    const events: ResponsesStreamEvent[] = [];
    if (this.message && this.message.kind !== kind) events.push(...this.closeMessage());
    if (!this.message) {
      events.push(...this.closeAll());
      const item: ResponsesOutputMessage = { type: 'message', id: this.itemId('msg'), status: 'in_progress', role: 'assistant', content: [] };
      const { index, event } = this.addItem(item);
      this.message = { item, index, text: '', kind };
      const part = kind === 'refusal' ? { type: 'refusal', refusal: '' } : { type: 'output_text', annotations: [], logprobs: [], text: '' };
      events.push(event, this.event({ type: 'response.content_part.added', item_id: item.id, output_index: index, content_index: 0, part }));
    }
    this.message.text += text;
    const location = { item_id: this.message.item.id, output_index: this.message.index, content_index: 0 };
    events.push(this.event(kind === 'refusal' ? { type: 'response.refusal.delta', ...location, delta: text } : { type: 'response.output_text.delta', ...location, delta: text, logprobs: [] }));
    return events;
  }

  private closeMessage(): ResponsesStreamEvent[] {
    const open = this.message;
    if (!open) return [];
    this.message = undefined;
    const location = { item_id: open.item.id, output_index: open.index, content_index: 0 };
    if (open.kind === 'refusal') {
      const part = { type: 'refusal' as const, refusal: open.text };
      open.item.content = [part];
      return [this.event({ type: 'response.refusal.done', ...location, refusal: open.text }), this.event({ type: 'response.content_part.done', ...location, part }), this.itemDone(open.item, open.index)];
    }
    const part = { type: 'output_text' as const, annotations: [], logprobs: [], text: open.text };
    open.item.content = [part];
    return [
      this.event({ type: 'response.output_text.done', ...location, text: open.text, logprobs: [] }),
      this.event({ type: 'response.content_part.done', ...location, part }),
      this.itemDone(open.item, open.index),
    ];
  }

  private toolCallDelta(part: Extract<ChatPart, { type: 'tool-call-delta' }>): ResponsesStreamEvent[] {
    const events: ResponsesStreamEvent[] = [];
    let open = this.calls.get(part.index);
    if (!open) {
      events.push(...this.closeReasoning(), ...this.closeMessage());
      const upstreamName = part.name ?? '';
      const clientName = this.options.toolNames.get(upstreamName) ?? { name: upstreamName };
      const id = this.itemId('fc');
      const item: ResponsesOutputFunctionCall = { type: 'function_call', id, status: 'in_progress', call_id: part.id || madeUpToolCallId(`call_${id}`), name: clientName.name, ...(clientName.namespace ? { namespace: clientName.namespace } : {}), arguments: '' };
      const added = this.addItem(item);
      open = { item, index: added.index };
      this.calls.set(part.index, open);
      events.push(added.event);
    }
    if (part.name && !open.item.name) {
      // Some hosts send a call's id alone first and its name in the next fragment.
      const clientName = this.options.toolNames.get(part.name) ?? { name: part.name };
      open.item.name = clientName.name;
      if (clientName.namespace) open.item.namespace = clientName.namespace;
    }
    if (part.argumentsDelta) {
      open.item.arguments += part.argumentsDelta;
      events.push(this.event({ type: 'response.function_call_arguments.delta', item_id: open.item.id, output_index: open.index, delta: part.argumentsDelta }));
    }
    return events;
  }

  private closeCalls(): ResponsesStreamEvent[] {
    const events: ResponsesStreamEvent[] = [];
    for (const { item, index } of this.calls.values()) {
      // A call without arguments is an empty object: "" is not JSON, and clients parse it (Codex).
      if (item.arguments.trim() === '') item.arguments = '{}';
      events.push(this.event({ type: 'response.function_call_arguments.done', item_id: item.id, output_index: index, name: item.name, arguments: item.arguments }), this.itemDone(item, index));
    }
    this.calls.clear();
    return events;
  }

  private closeAll(): ResponsesStreamEvent[] {
    return [...this.closeReasoning(), ...this.closeMessage(), ...this.closeCalls()];
  }
}
