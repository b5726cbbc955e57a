import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { createParser } from 'eventsource-parser';
import { FIXTURES, fixtureEvents, fixtureJson } from '../support/fixtures.js';
import type { CollectedAnswer } from './support.js';

/** What a recording holds, read straight from its events or JSON (independently of the adapter),
 * in the terms an OpenAI client sees. The finish-reason table is the spec the adapter must meet. */

const FINISH_BY_STOP_REASON: Record<string, string> = {
  end_turn: 'stop',
  stop_sequence: 'stop',
  pause_turn: 'stop',
  max_tokens: 'length',
  tool_use: 'tool_calls',
  refusal: 'content_filter',
};

export const anthropicRecordings = (prefix: string): string[] =>
  readdirSync(join(FIXTURES, 'anthropic'))
    .filter((name) => name.startsWith(prefix) && !name.endsWith('.headers.json'))
    .sort()
    .map((name) => `anthropic/${name}`);

/** The recording's events as parsed JSON payloads, in order. */
export const recordedEvents = (path: string): any[] => {
  const payloads: any[] = [];
  const parser = createParser({ onEvent: (event) => payloads.push(JSON.parse(event.data)) });
  for (const event of fixtureEvents(path)) parser.feed(event);
  parser.feed('\n\n');
  return payloads;
};

interface AnthropicUsage {
  input_tokens?: number | null;
  output_tokens?: number | null;
  cache_read_input_tokens?: number | null;
  cache_creation_input_tokens?: number | null;
  output_tokens_details?: { thinking_tokens?: number | null } | null;
}

const openAIUsage = (usage: AnthropicUsage): CollectedAnswer['usage'] => {
  const cacheRead = usage.cache_read_input_tokens ?? 0;
  return {
    prompt_tokens: (usage.input_tokens ?? 0) + cacheRead + (usage.cache_creation_input_tokens ?? 0),
    completion_tokens: usage.output_tokens ?? 0,
    cached_tokens: cacheRead,
    reasoning_tokens: usage.output_tokens_details?.thinking_tokens ?? 0,
  };
};

/** Tool arguments as an OpenAI client would compare them: parsed when they are JSON. */
export const comparableArguments = (text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    return { unparsed: text };
  }
};

export const comparable = (answer: CollectedAnswer) => ({ ...answer, toolCalls: answer.toolCalls.map((call) => ({ name: call.name, arguments: comparableArguments(call.arguments) })) });

/** A stream recording's answer: text and thinking deltas summed, client tool_use inputs from their
 * input_json_delta fragments, the last stop_reason, message_start usage overlaid by message_delta's. */
export const expectedFromStream = (path: string): CollectedAnswer => {
  const answer: CollectedAnswer = { text: '', reasoning: '', toolCalls: [], finishReason: null, usage: undefined };
  const toolInputs = new Map<number, { name: string; json: string; startInput: unknown }>();
  let usage: AnthropicUsage = {};
  for (const event of recordedEvents(path)) {
    if (event.type === 'message_start') usage = { ...event.message.usage };
    if (event.type === 'content_block_start' && event.content_block.type === 'tool_use') {
      toolInputs.set(event.index, { name: event.content_block.name, json: '', startInput: event.content_block.input });
    }
    if (event.type === 'content_block_delta') {
      if (event.delta.type === 'text_delta') answer.text += event.delta.text;
      if (event.delta.type === 'thinking_delta') answer.reasoning += event.delta.thinking;
      const tool = toolInputs.get(event.index);
      if (tool && event.delta.type === 'input_json_delta') tool.json += event.delta.partial_json;
    }
    if (event.type === 'message_delta') {
      answer.finishReason = FINISH_BY_STOP_REASON[event.delta.stop_reason] ?? null;
      for (const [key, value] of Object.entries(event.usage ?? {})) if (typeof value === 'number' || key === 'output_tokens_details') (usage as Record<string, unknown>)[key] = value;
    }
  }
  answer.toolCalls = [...toolInputs.values()].map((tool) => ({ name: tool.name, arguments: tool.json || JSON.stringify(tool.startInput) }));
  answer.usage = openAIUsage(usage);
  return answer;
};

/** A non-streamed recording's answer, from its content blocks. */
export const expectedFromMessage = (path: string): CollectedAnswer => {
  const message = fixtureJson(path);
  const blocks: any[] = message.content;
  return {
    text: blocks.filter((block) => block.type === 'text').map((block) => block.text).join(''),
    reasoning: blocks.filter((block) => block.type === 'thinking').map((block) => block.thinking).join(''),
    toolCalls: blocks.filter((block) => block.type === 'tool_use').map((block) => ({ name: block.name, arguments: JSON.stringify(block.input) })),
    finishReason: FINISH_BY_STOP_REASON[message.stop_reason] ?? null,
    usage: openAIUsage(message.usage),
  };
};
