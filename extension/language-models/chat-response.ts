import type { ChatPart, ChatRequest } from '../../proxy/adapters/types.js';
import { runChat } from '../../proxy/core/index.js';
import type { GatewayContext } from '../../proxy/server/gateway-context.js';

/** The ledger's `client` for requests from VS Code's own chat (and other extensions via `vscode.lm`). */
export const VSCODE_CHAT_CLIENT = 'vscode-chat';

/** Builds VS Code's response parts; the real classes come from `vscode`, tests pass plain ones. */
export interface ResponsePartFactory<Part> {
  text(value: string): Part;
  toolCall(callId: string, name: string, input: object): Part;
}

/** A failure shown in the chat: the gateway's public (redacted) message, never upstream text. */
export class ChatResponseError extends Error {
  constructor(
    message: string,
    readonly code: string | null,
  ) {
    super(message);
    this.name = 'ModapiError';
  }
}

interface PendingCall {
  id: string;
  name: string;
  arguments: string;
}

const parseArguments = (call: PendingCall): object => {
  try {
    const input: unknown = JSON.parse(call.arguments.trim() || '{}');
    if (typeof input === 'object' && input !== null && !Array.isArray(input)) return input;
  } catch {
    // Reported below.
  }
  throw new ChatResponseError(`The model called the tool "${call.name}" with arguments that are not a JSON object.`, 'invalid_tool_arguments');
};

/** Tool calls stream in pieces; VS Code takes each one whole, with its input parsed. */
class ToolCalls<Part> {
  private readonly pending = new Map<number, PendingCall>();

  constructor(private readonly factory: ResponsePartFactory<Part>) {}

  add(part: Extract<ChatPart, { type: 'tool-call-delta' }>): void {
    const call = this.pending.get(part.index) ?? { id: '', name: '', arguments: '' };
    if (part.id) call.id = part.id;
    if (part.name) call.name = part.name;
    call.arguments += part.argumentsDelta;
    this.pending.set(part.index, call);
  }

  drain(): Part[] {
    const calls = [...this.pending.entries()].sort(([left], [right]) => left - right).map(([index, call]) => this.factory.toolCall(call.id || `call_${index}`, call.name, parseArguments(call)));
    this.pending.clear();
    return calls;
  }
}

/** Runs one chat request through the gateway core (admission, budgets, allowed models, fallbacks,
 * ledger record as `vscode-chat`) and reports its answer as VS Code response parts. A stopped
 * request just ends; a failure is thrown as a ChatResponseError. */
export const respond = async <Part>(gateway: GatewayContext, request: ChatRequest, factory: ResponsePartFactory<Part>, report: (part: Part) => void, signal: AbortSignal): Promise<void> => {
  const toolCalls = new ToolCalls(factory);
  for await (const part of runChat(gateway, request, { client: VSCODE_CHAT_CLIENT, signal })) {
    if (part.type === 'text-delta' || part.type === 'refusal-delta') report(factory.text(part.text));
    else if (part.type === 'tool-call-delta') toolCalls.add(part);
    else if (part.type === 'finish') toolCalls.drain().forEach(report);
    else if (part.type === 'error') throw new ChatResponseError(part.error.message, part.error.code);
  }
  if (!signal.aborted) toolCalls.drain().forEach(report);
};
