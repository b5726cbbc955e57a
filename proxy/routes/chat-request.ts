import { isUtf8 } from 'node:buffer';
import type { ChatRequest } from '../adapters/types.js';
import { chatRequestHead, checkChatRequest, type ChatRequestHead } from '../dialects/openai-chat/decode-request.js';
import { spliceUpstreamChatBody, upstreamChatBody } from '../dialects/openai-chat/encode-request.js';
import type { ResolvedModel } from '../providers/registry.js';
import { MAX_JSON_DEPTH, parseJsonBody } from '../server/read-body.js';
import { topLevelFields } from '../server/top-level-fields.js';

/** A chat completions request as the lanes need it: what routing and accounting read, the body
 * the relay lane sends upstream, and the whole parsed body for the lanes that translate it. */
export interface ClientChatRequest {
  head: ChatRequestHead;
  /** The whole body, parsed and checked (once) on first use. */
  whole(): ChatRequest;
  /** What an OpenAI-dialect upstream is sent (encode-request.ts upstreamChatBody). */
  upstreamBody(resolved: ResolvedModel): string | Buffer;
}

/** From this size on, a body's messages are not parsed unless a lane needs them: a 1 MB prompt on
 * the relay lane measured several milliseconds of JSON.parse and checks (npm run bench), none of
 * which routing needs. Smaller bodies are parsed whole, as before. */
export const HEAD_ONLY_BYTES = 64 * 1024;

const parsedWhole = (raw: Buffer): ClientChatRequest => {
  const body = parseJsonBody<ChatRequest>(raw);
  checkChatRequest(body);
  return { head: body, whole: () => body, upstreamBody: (resolved) => upstreamChatBody(body, raw, resolved) };
};

/** The request from its bytes; a 400 for a body that is not a chat request. A large body is read
 * at its top level only (server/top-level-fields.ts) when it can be vouched for that way; anything
 * else takes the whole parse, which accepts it or words the error. */
export const readChatRequest = (raw: Buffer): ClientChatRequest => {
  const fields = raw.length >= HEAD_ONLY_BYTES && isUtf8(raw) ? topLevelFields(raw, MAX_JSON_DEPTH) : undefined;
  const head = fields && chatRequestHead(raw, fields);
  if (!fields || !head) return parsedWhole(raw);
  let whole: ChatRequest | undefined;
  return {
    head,
    whole: () => (whole ??= parsedWhole(raw).whole()),
    upstreamBody: (resolved) => spliceUpstreamChatBody(raw, fields, head, resolved),
  };
};
