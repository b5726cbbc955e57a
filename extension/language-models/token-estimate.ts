import { classifyPart, toolResultText } from './input-parts.js';
import type { LanguageModelChatRequestMessage } from './lm-provider-api.js';

/** About four characters a token for English text and code with the common tokenizers; other
 * scripts (CJK above all) come closer to one token a character. */
const ASCII_CHARACTERS_PER_TOKEN = 4;
const TOKENS_PER_IMAGE = 1_600;
/** Role markers and message framing. */
const TOKENS_PER_MESSAGE = 4;
/** Shorter texts are counted faster than they are looked up. */
const CACHED_FROM_LENGTH = 2_048;
const CACHE_ENTRIES = 512;

const SAMPLE_EVERY = 1_024;

const cache = new Map<string, number>();

/** A short key for a long text: its length, ends and a sample of characters. V8 hashes strings of
 * over 16K characters by length alone, so a Map keyed by the texts themselves compares whole texts
 * of equal length on every lookup. Two texts sharing a key get one estimate, which is harmless. */
const cacheKey = (text: string): string => {
  let sample = '';
  for (let index = 0; index < text.length; index += SAMPLE_EVERY) sample += text[index];
  return `${text.length}:${text.slice(0, 64)}:${text.slice(-64)}:${sample}`;
};

const ASCII_RUNS = /[^\u0080-\uffff]+/g;

const countText = (text: string): number => {
  // The regular expression engine scans faster than a character loop.
  const other = text.replace(ASCII_RUNS, '').length;
  return Math.ceil((text.length - other) / ASCII_CHARACTERS_PER_TOKEN) + other;
};

/** A local ESTIMATE of a text's tokens. VS Code's chat asks thousands of times per agent turn,
 * mostly for the same long texts, so long texts are remembered (the oldest forgotten first). */
export const estimateTextTokens = (text: string): number => {
  if (text.length < CACHED_FROM_LENGTH) return countText(text);
  const key = cacheKey(text);
  const known = cache.get(key);
  if (known !== undefined) return known;
  const tokens = countText(text);
  if (cache.size >= CACHE_ENTRIES) cache.delete(cache.keys().next().value as string);
  cache.set(key, tokens);
  return tokens;
};

const estimatePart = (item: unknown): number => {
  const part = classifyPart(item);
  switch (part.kind) {
    case 'text':
      return estimateTextTokens(part.text);
    case 'tool-call':
      return estimateTextTokens(part.name) + estimateTextTokens(JSON.stringify(part.input) ?? '');
    case 'tool-result':
      return estimateTextTokens(toolResultText(part.content));
    case 'data':
      return part.mimeType.startsWith('image/') ? TOKENS_PER_IMAGE : 0;
    case 'other':
      return 0;
  }
};

/** What `provideTokenCount` answers: exact counts come from the upstream and land in the ledger. */
export const estimateTokens = (input: string | LanguageModelChatRequestMessage): number => {
  if (typeof input === 'string') return estimateTextTokens(input);
  let tokens = TOKENS_PER_MESSAGE;
  for (const part of input.content) tokens += estimatePart(part);
  return tokens;
};
