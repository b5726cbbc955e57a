/** Anthropic refuses a thinking request that continues a tool call whose thinking block (with its
 * signature) does not come back in the assistant turn, and OpenAI's format has no field to carry it.
 * The gateway keeps the thinking blocks of each answer that called tools, by tool-call id, so the
 * next request can restore them. In memory only, and bounded: the oldest entries go first. */

export type ThinkingBlock = { type: 'thinking'; thinking: string; signature: string } | { type: 'redacted_thinking'; data: string };

const MAX_ENTRIES = 1_000;
const thinkingByToolCall = new Map<string, ThinkingBlock[]>();

const isThinking = (block: { type: string; [field: string]: unknown }): block is ThinkingBlock =>
  (block.type === 'thinking' && typeof block.thinking === 'string' && typeof block.signature === 'string' && block.signature.length > 0) ||
  (block.type === 'redacted_thinking' && typeof block.data === 'string');

/** Remembers an answer's thinking blocks under each of its tool_use ids. */
export const rememberThinking = (content: readonly { type: string; [field: string]: unknown }[]): void => {
  const thinking = content.filter(isThinking).map((block) => ({ ...block }));
  if (thinking.length === 0) return;
  for (const block of content) {
    if (block.type !== 'tool_use' || typeof block.id !== 'string') continue;
    thinkingByToolCall.delete(block.id);
    thinkingByToolCall.set(block.id, thinking);
    if (thinkingByToolCall.size > MAX_ENTRIES) thinkingByToolCall.delete(thinkingByToolCall.keys().next().value as string);
  }
};

export const recallThinking = (toolCallId: string): ThinkingBlock[] | undefined => thinkingByToolCall.get(toolCallId);
