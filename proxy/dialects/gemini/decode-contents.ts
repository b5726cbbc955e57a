import { madeUpToolCallId } from '../../pipeline/tool-call-id.js';
import type { ChatContentPart, ChatMessage, ChatToolCall } from '../../adapters/types.js';
import { GatewayError } from '../../errors.js';
import type { GeminiClientRequest, GeminiPart } from './wire-types.js';

type ClientContent = GeminiClientRequest['contents'][number];

/** A call the model made, waiting for its functionResponse in the next user turn. */
interface PendingCall {
  id: string;
  name: string;
}

/** Gemini's calls and responses pair by name and order (ids are optional): a call without an id
 * gets one made from its place in the conversation, the same on every request of a conversation. */
const callId = (turn: number, index: number, name: string): string => madeUpToolCallId(`call_${turn}_${index}_${name.replace(/[^A-Za-z0-9_-]/g, '_')}`);

/** A file the client sent inline: an image as a data URL, audio as input_audio, anything else
 * (a PDF) as a file part. */
const inlinePart = (inline: NonNullable<GeminiPart['inlineData']>): ChatContentPart => {
  const mimeType = inline.mimeType || 'application/octet-stream';
  const url = `data:${mimeType};base64,${inline.data}`;
  if (mimeType.startsWith('image/')) return { type: 'image_url', image_url: { url } };
  const audio = /^audio\/(wav|x-wav|mp3|mpeg)$/.exec(mimeType);
  if (audio) return { type: 'input_audio', input_audio: { data: inline.data, format: audio[1] === 'wav' || audio[1] === 'x-wav' ? 'wav' : 'mp3' } };
  return { type: 'file', file: { filename: 'file', file_data: url } };
};

/** Only a public image URL can be read by another provider; a Files API upload, a Cloud Storage
 * object or a video link lives where only Gemini reaches it. */
const fileDataPart = (file: NonNullable<GeminiPart['fileData']>, position: string): ChatContentPart => {
  const uri = String(file.fileUri ?? '');
  const isGoogleHosted = /^gs:\/\//i.test(uri) || /^https:\/\/([a-z0-9-]+\.)*(googleapis\.com|youtube\.com|youtu\.be)\//i.test(uri);
  if (/^https?:\/\//i.test(uri) && !isGoogleHosted && (file.mimeType ?? 'image/').startsWith('image/')) return { type: 'image_url', image_url: { url: uri } };
  throw GatewayError.invalidRequest(
    `${position}.fileData refers to a file this model's provider cannot read (only Gemini models read Files API uploads, Cloud Storage and video links; other models take a public image URL or inlineData).`,
    `${position}.fileData`,
    'file_not_reachable',
  );
};

const textOf = (parts: GeminiPart[]): string => parts.map((part) => (typeof part.text === 'string' && !part.thought ? part.text : '')).join('');

/** A user turn: function responses first (OpenAI wants tool results right after the calls), then
 * the rest as one user message. */
const userMessages = (content: ClientContent, turn: number, pending: PendingCall[]): ChatMessage[] => {
  const messages: ChatMessage[] = [];
  const parts: ChatContentPart[] = [];
  content.parts.forEach((part, index) => {
    const position = `contents[${turn}].parts[${index}]`;
    if (part.functionResponse) messages.push(toolMessage(part.functionResponse, pending, position));
    else if (typeof part.text === 'string') parts.push({ type: 'text', text: part.text });
    else if (part.inlineData?.data) parts.push(inlinePart(part.inlineData));
    else if (part.fileData) parts.push(fileDataPart(part.fileData, position));
  });
  if (parts.length > 0) messages.push({ role: 'user', content: parts.every((part) => part.type === 'text') ? parts.map((part) => (part as { text: string }).text).join('') : parts });
  return messages;
};

/** A functionResponse answers the call with its id, else the first open call of its name. */
const toolMessage = (answer: NonNullable<GeminiPart['functionResponse']>, pending: PendingCall[], position: string): ChatMessage => {
  const at = pending.findIndex((call) => (answer.id ? call.id === answer.id : call.name === answer.name));
  if (at === -1) throw GatewayError.invalidRequest(`${position}.functionResponse answers no functionCall of the previous model turn (name "${String(answer.name).slice(0, 100)}").`, `${position}.functionResponse`, 'invalid_function_response');
  const [call] = pending.splice(at, 1) as [PendingCall];
  return { role: 'tool', tool_call_id: call.id, content: JSON.stringify(answer.response ?? {}) };
};

/** A model turn: its text, its thoughts as reasoning, its calls (now pending). */
const modelMessage = (content: ClientContent, turn: number, pending: PendingCall[]): ChatMessage => {
  const message: ChatMessage = { role: 'assistant', content: textOf(content.parts) || null };
  const thoughts = content.parts.filter((part) => part.thought && typeof part.text === 'string').map((part) => part.text).join('');
  if (thoughts) message.reasoning_content = thoughts;
  const calls: ChatToolCall[] = [];
  for (const part of content.parts) {
    const call = part.functionCall;
    if (!call?.name) continue;
    const id = call.id || callId(turn, calls.length, call.name);
    calls.push({ id, type: 'function', function: { name: call.name, arguments: JSON.stringify(call.args ?? {}) } });
    pending.push({ id, name: call.name });
  }
  if (calls.length > 0) message.tool_calls = calls;
  return message;
};

/** Gemini `contents` as the neutral request's messages (OpenAI's chat messages). */
export const decodeContents = (contents: GeminiClientRequest['contents']): ChatMessage[] => {
  const messages: ChatMessage[] = [];
  let pending: PendingCall[] = [];
  contents.forEach((content, turn) => {
    if (content.role === 'model') {
      pending = [];
      messages.push(modelMessage(content, turn, pending));
    } else messages.push(...userMessages(content, turn, pending));
  });
  return messages;
};

/** systemInstruction (a Content, or a plain string as some clients send it) as its text. */
export const systemText = (instruction: GeminiClientRequest['systemInstruction']): string => {
  if (typeof instruction === 'string') return instruction;
  return (instruction?.parts ?? []).map((part) => (typeof part.text === 'string' ? part.text : '')).join('\n');
};
