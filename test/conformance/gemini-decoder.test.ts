import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { GeminiResponseDecoder } from '../../proxy/dialects/gemini/decode-response.js';
import { parseJsonPath, PartialArguments } from '../../proxy/dialects/gemini/partial-arguments.js';
import type { ChatPart } from '../../proxy/adapters/types.js';
import { collectParts } from '../../proxy/dialects/openai-chat/encode-response.js';
import { fixtureText } from '../support/fixtures.js';

/** The response decoder on its own: what the gateway replay cannot see through the first choice
 * of an openai client. */

async function* fromArray(parts: ChatPart[]): AsyncGenerator<ChatPart> {
  yield* parts;
}

const decodeAll = (chunks: any[]): ChatPart[] => {
  const decoder = new GeminiResponseDecoder();
  return [...chunks.flatMap((chunk) => decoder.decode(chunk)), ...decoder.end()];
};

describe('decoder', () => {
  test('several candidates (n > 1) become several choices, each with its own finish and calls', async () => {
    const chunk = {
      responseId: 'r1',
      candidates: [
        { index: 0, content: { role: 'model', parts: [{ text: 'first' }] }, finishReason: 'STOP' },
        { index: 1, content: { role: 'model', parts: [{ functionCall: { name: 'f', args: { a: 1 } } }] }, finishReason: 'STOP' },
      ],
    };
    const collected = await collectParts(fromArray(decodeAll([chunk])));
    assert.equal(collected.choices[0]?.content, 'first');
    assert.equal(collected.choices[0]?.finishReason, 'stop');
    assert.deepEqual(collected.choices[1]?.toolCalls.map((call) => [call.name, JSON.parse(call.arguments)]), [['f', { a: 1 }]]);
    assert.equal(collected.choices[1]?.finishReason, 'tool_calls');
    assert.notEqual(collected.choices[1]?.toolCalls[0]?.id, '');
  });

  test('usage is taken from the last chunk that has counts, never added up', () => {
    const lines = fixtureText('gemini/recording-stream-text-gemini-2-0-flash-usage-on-every-chunk.js-genai.json');
    const segments: any[] = JSON.parse(lines).interactions[0].response.bodySegments;
    const usages = decodeAll(segments).filter((part) => part.type === 'usage');
    assert.equal(usages.length, 1, 'one usage part per answer');
    const last = segments.at(-1).usageMetadata;
    assert.deepEqual(usages[0], { type: 'usage', usage: { promptTokens: last.promptTokenCount, completionTokens: last.candidatesTokenCount } });
  });

  test('a finishReason repeated on every chunk gives one finish, at the end', () => {
    const text = fixtureText('gemini/stream-sse-gemini-1-0-pro-finishreason-every-chunk-promptfeedback.cookbook.sse');
    const chunks = text
      .split(/\r?\n/)
      .filter((line) => line.startsWith('data: '))
      .map((line) => JSON.parse(line.slice(6)));
    const parts = decodeAll(chunks);
    assert.deepEqual(
      parts.filter((part) => part.type === 'finish'),
      [{ type: 'finish', choice: 0, reason: 'stop' }],
    );
    assert.equal(parts.at(-1)?.type, 'finish');
  });

  test('cachedContentTokenCount is the cached part of the prompt; thoughts are reasoning within the completion', () => {
    const usage = { promptTokenCount: 1200, cachedContentTokenCount: 1000, candidatesTokenCount: 30, thoughtsTokenCount: 70, totalTokenCount: 1300 };
    const parts = decodeAll([{ candidates: [{ content: { parts: [{ text: 'ok' }] }, finishReason: 'STOP' }], usageMetadata: usage }]);
    assert.deepEqual(parts.find((part) => part.type === 'usage'), { type: 'usage', usage: { promptTokens: 1200, completionTokens: 100, cachedTokens: 1000, reasoningTokens: 70 } });
  });

  test('MALFORMED_FUNCTION_CALL and other unmapped reasons are a plain stop; RECITATION a content filter', () => {
    const finish = (finishReason: string) => decodeAll([{ candidates: [{ content: { parts: [] }, finishReason }] }]).find((part) => part.type === 'finish');
    assert.deepEqual(finish('MALFORMED_FUNCTION_CALL'), { type: 'finish', choice: 0, reason: 'stop' });
    assert.deepEqual(finish('RECITATION'), { type: 'finish', choice: 0, reason: 'content_filter' });
    assert.deepEqual(finish('MAX_TOKENS'), { type: 'finish', choice: 0, reason: 'length' });
  });
});

describe('Vertex partial arguments', () => {
  test('json paths with dots, indexes and quoted keys', () => {
    assert.deepEqual(parseJsonPath('$.operations[0].action'), ['operations', 0, 'action']);
    assert.deepEqual(parseJsonPath("$['odd.key'][2]"), ['odd.key', 2]);
    assert.deepEqual(parseJsonPath('$["a"].b'), ['a', 'b']);
  });

  test('string pieces are appended, other values set', () => {
    const partial = new PartialArguments();
    partial.add({ jsonPath: '$.items[0].name', stringValue: 'app', willContinue: true });
    partial.add({ jsonPath: '$.items[0].name', stringValue: 'le' });
    partial.add({ jsonPath: '$.items[0].price', numberValue: 0.5 });
    partial.add({ jsonPath: '$.items[1].fresh', boolValue: true });
    partial.add({ jsonPath: '$.note', nullValue: 'NULL_VALUE' });
    assert.deepEqual(JSON.parse(partial.toJson()), { items: [{ name: 'apple', price: 0.5 }, { fresh: true }], note: null });
  });
});
