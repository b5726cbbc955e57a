import type { ChatPart } from '../../adapters/types.js';
import { finishReasonFromAnthropic, usageFromAnthropic } from './usage.js';
import type { AnthropicUpstreamMessage } from './wire-types.js';

/** A whole Anthropic message as the same parts its stream would give, in the same order, so a
 * non-streamed answer equals the streamed one collected. `warnings` follow the metadata, as in a stream. */
export const decodeMessage = (message: AnthropicUpstreamMessage, warnings: ChatPart[] = []): ChatPart[] => {
  const parts: ChatPart[] = [{ type: 'response-metadata', id: message.id, model: message.model }, ...warnings];
  let toolCallCount = 0;
  for (const block of message.content ?? []) {
    const fields = block as Record<string, unknown>;
    if (block.type === 'text' && typeof fields.text === 'string' && fields.text) parts.push({ type: 'text-delta', choice: 0, text: fields.text });
    else if (block.type === 'thinking') {
      if (typeof fields.thinking === 'string' && fields.thinking) parts.push({ type: 'reasoning-delta', choice: 0, text: fields.thinking });
      if (typeof fields.signature === 'string') parts.push({ type: 'reasoning-delta', choice: 0, text: '', signature: fields.signature });
    } else if (block.type === 'tool_use') {
      // Client tools only: server tools (server_tool_use) ran at Anthropic already.
      parts.push({ type: 'tool-call-delta', choice: 0, index: toolCallCount++, id: String(fields.id ?? ''), name: String(fields.name ?? ''), argumentsDelta: JSON.stringify(fields.input ?? {}) });
    }
  }
  parts.push({ type: 'finish', choice: 0, reason: finishReasonFromAnthropic(message.stop_reason) });
  if (message.usage) parts.push({ type: 'usage', usage: usageFromAnthropic(message.usage) });
  return parts;
};
