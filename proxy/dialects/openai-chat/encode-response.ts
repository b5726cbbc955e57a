import type { ChatPart, FinishReason, TokenUsage } from '../../adapters/types.js';
import { usageToOpenAI } from './usage.js';

interface CollectedChoice {
  content: string;
  reasoning: string;
  refusal: string;
  toolCalls: { id: string; name: string; arguments: string }[];
  finishReason: FinishReason | null;
}

export interface CollectedCompletion {
  id?: string;
  model?: string;
  created?: number;
  choices: CollectedChoice[];
  usage?: TokenUsage;
  warnings: string[];
}

const emptyChoice = (): CollectedChoice => ({ content: '', reasoning: '', refusal: '', toolCalls: [], finishReason: null });

/** A non-streaming answer is the stream collected: the same parts, folded. An error part throws. */
export const collectParts = async (parts: AsyncIterable<ChatPart>): Promise<CollectedCompletion> => {
  const collected: CollectedCompletion = { choices: [], warnings: [] };
  const choice = (index: number): CollectedChoice => (collected.choices[index] ??= emptyChoice());
  for await (const part of parts) {
    switch (part.type) {
      case 'response-metadata':
        collected.id ??= part.id;
        collected.model ??= part.model;
        collected.created ??= part.created;
        break;
      case 'text-delta':
        choice(part.choice).content += part.text;
        break;
      case 'reasoning-delta':
        choice(part.choice).reasoning += part.text;
        break;
      case 'refusal-delta':
        choice(part.choice).refusal += part.text;
        break;
      case 'tool-call-delta': {
        const calls = choice(part.choice).toolCalls;
        const call = (calls[part.index] ??= { id: '', name: '', arguments: '' });
        if (part.id) call.id = part.id;
        if (part.name) call.name += part.name;
        call.arguments += part.argumentsDelta;
        break;
      }
      case 'usage':
        collected.usage = part.usage;
        break;
      case 'finish':
        choice(part.choice).finishReason = part.reason;
        break;
      case 'warning':
        collected.warnings.push(part.message);
        break;
      case 'error':
        throw part.error;
    }
  }
  return collected;
};

/** The collected answer in OpenAI's `chat.completion` shape. */
export const toChatCompletion = (collected: CollectedCompletion, fallbackModel: string) => {
  if (collected.choices.length === 0) collected.choices.push(emptyChoice());
  return {
    id: collected.id ?? `chatcmpl-${Date.now().toString(36)}`,
    object: 'chat.completion',
    created: collected.created ?? Math.floor(Date.now() / 1000),
    model: fallbackModel,
    choices: collected.choices.map((choice, index) => ({
      index,
      message: {
        role: 'assistant',
        content: choice.content.length > 0 || choice.toolCalls.length === 0 ? choice.content : null,
        refusal: choice.refusal || null,
        ...(choice.reasoning ? { reasoning_content: choice.reasoning } : {}),
        ...(choice.toolCalls.length > 0
          ? { tool_calls: choice.toolCalls.filter(Boolean).map((call) => ({ id: call.id, type: 'function', function: { name: call.name, arguments: call.arguments } })) }
          : {}),
      },
      logprobs: null,
      finish_reason: choice.finishReason ?? 'stop',
    })),
    ...(collected.usage ? { usage: usageToOpenAI(collected.usage) } : {}),
  };
};
