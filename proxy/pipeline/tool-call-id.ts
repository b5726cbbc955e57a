import { createHash } from 'node:crypto';

/** OpenAI refuses a tool call id over 40 characters in a conversation sent back to it. */
export const MAX_TOOL_CALL_ID = 40;

/** A tool call id the gateway makes up (its upstream or client sent none), readable when it fits
 * and else `call_` and a digest of it: the same input always gives the same id, so a call and its
 * result still pair, and distinct inputs stay distinct. */
export const madeUpToolCallId = (readable: string): string =>
  readable.length <= MAX_TOOL_CALL_ID ? readable : `call_${createHash('sha256').update(readable).digest('base64url').slice(0, MAX_TOOL_CALL_ID - 'call_'.length)}`;
