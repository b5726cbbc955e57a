import assert from 'node:assert/strict';
import { test } from 'node:test';
import { toChatRequest } from '../../proxy/dialects/gemini/decode-request.js';

// A Gemini client's thinking settings as the neutral request's reasoning effort.
const effortOf = (thinkingConfig: Record<string, unknown>) =>
  toChatRequest({ contents: [{ role: 'user', parts: [{ text: 'hi' }] }], generationConfig: { thinkingConfig } } as never, 'm', false).chat.reasoning_effort;

test('thinkingBudget 0 (thinking off) and -1 (dynamic) ask for no effort; a budget or a level maps to one', () => {
  // 0 once became "minimal": thinking turned on at Anthropic (1,024 tokens, temperature dropped) and
  // a 400 from an OpenAI model that does not reason.
  assert.equal(effortOf({ thinkingBudget: 0 }), undefined);
  assert.equal(effortOf({ thinkingBudget: -1 }), undefined);
  assert.equal(effortOf({ thinkingBudget: 1024 }), 'low');
  assert.equal(effortOf({ thinkingBudget: 8192 }), 'medium');
  assert.equal(effortOf({ thinkingBudget: 24576 }), 'high');
  assert.equal(effortOf({ thinkingLevel: 'LOW' }), 'low');
});
