import { z } from 'zod';
import { validate } from '../../validate.js';

// The schemas check and never copy: routes keep the client's body, and zod's default (strip) mode
// builds its output from the checked keys only, so long conversations cost no deep copy.
const message = z.object({ role: z.enum(['system', 'developer', 'user', 'assistant', 'tool', 'function']) });

/** Only what the gateway itself relies on is checked; the upstream judges the rest. */
export const chatRequestSchema = z
  .object({
    model: z.string().min(1),
    messages: z.array(message).min(1),
    stream: z.boolean().optional().nullable(),
    stream_options: z.object({ include_usage: z.boolean().optional() }).optional().nullable(),
    n: z.number().int().min(1).max(128).optional().nullable(),
    tools: z.array(z.object({ type: z.string() })).optional().nullable(),
  });

const ROLES = new Set(['system', 'developer', 'user', 'assistant', 'tool', 'function']);

const isObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);
const isAbsent = (value: unknown): boolean => value === undefined || value === null;

/** True only for bodies chatRequestSchema accepts (never more permissive), checked without zod's
 * per-call allocations: zod's safeParse measured about 12% of the gateway's allocations per chat
 * request (npm run bench). Anything this does not recognise goes to zod, which words the error. */
export const obviouslyValidChatRequest = (body: Record<string, unknown>): boolean => {
  const messages = body.messages;
  if (!Array.isArray(messages) || messages.length === 0) return false;
  for (const message of messages) if (!isObject(message) || !ROLES.has(message.role as string)) return false;
  return obviouslyValidHead(body);
};

/** The checks of obviouslyValidChatRequest on every field but the messages. */
const obviouslyValidHead = (body: Record<string, unknown>): boolean => {
  if (typeof body.model !== 'string' || body.model.length === 0) return false;
  if (!isAbsent(body.stream) && typeof body.stream !== 'boolean') return false;
  const streamOptions = body.stream_options;
  if (!isAbsent(streamOptions) && !(isObject(streamOptions) && (streamOptions.include_usage === undefined || typeof streamOptions.include_usage === 'boolean'))) return false;
  const n = body.n;
  if (!isAbsent(n) && !(typeof n === 'number' && Number.isInteger(n) && n >= 1 && n <= 128)) return false;
  const tools = body.tools;
  if (!isAbsent(tools)) {
    if (!Array.isArray(tools)) return false;
    for (const tool of tools) if (!isObject(tool) || typeof tool.type !== 'string') return false;
  }
  return true;
};

/** Checks a chat body as chatRequestSchema does; a 400 naming the parameter when it fails. */
export const checkChatRequest = (body: Record<string, unknown>): void => {
  if (!obviouslyValidChatRequest(body)) validate(chatRequestSchema, body);
};

/** The top-level fields of a chat request that routing, accounting and the checks above read. */
export interface ChatRequestHead {
  model: string;
  stream?: boolean | null;
  stream_options?: { include_usage?: boolean } | null;
  /** Who the request is for (attribution.ts); never checked, never required. */
  metadata?: unknown;
  user?: unknown;
  safety_identifier?: unknown;
}

const HEAD_KEYS = ['model', 'stream', 'stream_options', 'n', 'tools', 'metadata', 'user', 'safety_identifier'];

/** Where a top-level value lies in a body's bytes (server/top-level-fields.ts finds them). */
export interface ValueSpan {
  start: number;
  end: number;
  occurrences: number;
}

const WHITESPACE = new Set([0x20, 0x0a, 0x0d, 0x09]);

/** A chat request's head from its bytes and the spans of its top-level values, with only those
 * values parsed; `messages` must be a non-empty array, what each message holds is the upstream's
 * to judge (this is for the relay lanes, which send the client's bytes on). Undefined when
 * obviouslyValidChatRequest's checks of the other fields fail, or a key the head reads is repeated
 * (rewriting one occurrence of two would leave the upstream to choose): the caller parses the body
 * whole then, which accepts it or words the error. */
export const chatRequestHead = (raw: Buffer, spans: ReadonlyMap<string, ValueSpan>): ChatRequestHead | undefined => {
  const head: Record<string, unknown> = {};
  for (const key of HEAD_KEYS) {
    const span = spans.get(key);
    if (!span) continue;
    if (span.occurrences > 1) return undefined;
    head[key] = JSON.parse(raw.toString('utf8', span.start, span.end));
  }
  const messages = spans.get('messages');
  if (!messages || messages.occurrences > 1 || raw[messages.start] !== 0x5b) return undefined;
  let first = messages.start + 1;
  while (WHITESPACE.has(raw[first] as number)) first += 1;
  if (raw[first] === 0x5d) return undefined;
  return obviouslyValidHead(head) ? (head as unknown as ChatRequestHead) : undefined;
};
