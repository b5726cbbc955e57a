import { GatewayError } from '../../errors.js';
import type { ChatContentPart, ChatMessage } from '../../adapters/types.js';
import { convertContentPart } from './encode-content-part.js';
import { SKIP_SIGNATURE_VALIDATION, signatureFor } from './thought-signatures.js';
import type { GeminiContent, GeminiPart } from './wire-types.js';

export interface ConvertedMessages {
  systemInstruction?: { parts: GeminiPart[] };
  contents: GeminiContent[];
  warnings: string[];
}

const textOf = (content: ChatMessage['content']): string => {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .filter((part) => part.type === 'text')
    .map((part) => String((part as { text?: unknown }).text ?? ''))
    .join('');
};

const userParts = (content: ChatMessage['content'], warnings: string[]): GeminiPart[] => {
  if (typeof content === 'string') return [{ text: content }];
  const parts: GeminiPart[] = [];
  for (const part of (content ?? []) as ChatContentPart[]) {
    const converted = convertContentPart(part);
    if (converted) parts.push(converted);
    else warnings.push(`A "${part.type}" content part has no Gemini counterpart and was left out.`);
  }
  return parts;
};

const parseArguments = (text: string, name: string): Record<string, unknown> => {
  if (!text.trim()) return {};
  try {
    const parsed = JSON.parse(text) as unknown;
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : { value: parsed };
  } catch {
    throw GatewayError.invalidRequest(`The arguments of the earlier call to "${name}" are not valid JSON.`, 'messages', 'invalid_tool_arguments');
  }
};

/** An assistant turn: its text, then its calls, each with the thoughtSignature it came with.
 * Gemini 3 refuses a turn whose first call lacks one; when the gateway does not know it (another
 * model began the conversation), that call is marked to skip the validation. */
const modelParts = (message: ChatMessage, requireSignatures: boolean): GeminiPart[] => {
  const parts: GeminiPart[] = [];
  const text = textOf(message.content);
  if (text) parts.push({ text });
  (message.tool_calls ?? []).forEach((call, position) => {
    const part: GeminiPart = { functionCall: { name: call.function.name, args: parseArguments(call.function.arguments, call.function.name) } };
    const signature = signatureFor(call.id) ?? (requireSignatures && position === 0 ? SKIP_SIGNATURE_VALIDATION : undefined);
    if (signature) part.thoughtSignature = signature;
    parts.push(part);
  });
  return parts;
};

/** Gemini wants an object as a function's response: a JSON object result goes as it is, anything
 * else under `result`. */
const functionResponseBody = (content: ChatMessage['content']): Record<string, unknown> => {
  const text = textOf(content);
  try {
    const parsed = JSON.parse(text) as unknown;
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
    return { result: parsed };
  } catch {
    return { result: text };
  }
};

/** The function a tool result answers, found from the earlier assistant call with its id. */
const functionNameFor = (messages: ChatMessage[], position: number): string => {
  const message = messages[position] as ChatMessage;
  for (let earlier = position - 1; earlier >= 0; earlier -= 1) {
    const call = messages[earlier]?.tool_calls?.find((candidate) => candidate.id === message.tool_call_id);
    if (call) return call.function.name;
  }
  if (typeof message.name === 'string' && message.name) return message.name;
  throw GatewayError.invalidRequest(`The tool message with tool_call_id "${message.tool_call_id ?? ''}" answers no earlier tool call.`, `messages[${position}].tool_call_id`, 'invalid_tool_call_id');
};

/** Adds parts to the conversation, merging into the previous turn when the role repeats (Gemini
 * expects one user turn holding every function response of a step). */
const append = (contents: GeminiContent[], role: 'user' | 'model', parts: GeminiPart[]): void => {
  if (parts.length === 0) return;
  const last = contents.at(-1);
  if (last && last.role === role) last.parts.push(...parts);
  else contents.push({ role, parts });
};

/** OpenAI messages as Gemini contents: system and developer messages become the
 * systemInstruction, assistant turns `model`, tool results functionResponse parts of a user turn. */
export const convertMessages = (messages: ChatMessage[], options: { requireSignatures: boolean }): ConvertedMessages => {
  const warnings: string[] = [];
  const system: GeminiPart[] = [];
  const contents: GeminiContent[] = [];
  messages.forEach((message, position) => {
    switch (message.role) {
      case 'system':
      case 'developer': {
        const text = textOf(message.content);
        if (text) system.push({ text });
        break;
      }
      case 'user':
        append(contents, 'user', userParts(message.content, warnings));
        break;
      case 'assistant':
        append(contents, 'model', modelParts(message, options.requireSignatures));
        break;
      case 'tool':
        append(contents, 'user', [{ functionResponse: { name: functionNameFor(messages, position), response: functionResponseBody(message.content) } }]);
        break;
      default:
        warnings.push(`A message with role "${String(message.role)}" has no Gemini counterpart and was left out.`);
    }
  });
  return { ...(system.length > 0 ? { systemInstruction: { parts: system } } : {}), contents, warnings };
};
