import assert from 'node:assert/strict';
import { test } from 'node:test';
import { OpenAIPassthrough } from '../../proxy/dialects/openai-chat/relay-observer.js';
import { usageFromOpenAI } from '../../proxy/dialects/openai-chat/usage.js';
import { fixtureEvents } from '../support/fixtures.js';

// The fast lane's observer on its own: recorded streams fed in awkward pieces.
const RECORDINGS = [
  'openai/chat-stream-text-include-usage-gpt-4o.openai-python.sse',
  'openai/chat-stream-n3-interleaved-choices.openai-python.sse',
  'openai/chat-stream-parallel-tool-calls.openai-python.sse',
  'openai-compatible/groq-chat-stream-tool-call-x-groq-usage.vercel.jsonl',
  'openai-compatible/xai-chat-stream-reasoning-content-tool-call-usage.vercel.jsonl',
  'openai-compatible/openrouter-chat-stream-fragment-processing-comments.openai-go-227.sse',
  'openai-compatible/mistral-chat-stream-text.vercel.jsonl',
];

/** Feeds a text in pieces of `size` characters, collecting what the observer lets out. */
const feed = (passthrough: OpenAIPassthrough, text: string, size: number): string => {
  let output = '';
  for (let offset = 0; offset < text.length; offset += size) output += passthrough.push(text.slice(offset, offset + size));
  return output + passthrough.push('\n\n');
};

const isUsageOnly = (event: string): boolean => /"choices"\s*:\s*\[\s*\]/.test(event) && /"usage"\s*:\s*\{/.test(event);

const lastUsage = (events: string[]) => {
  for (const event of [...events].reverse()) {
    const data = /^data: (\{.*\})$/m.exec(event)?.[1];
    if (!data || !/"usage"\s*:\s*\{/.test(data)) continue;
    const chunk = JSON.parse(data);
    return usageFromOpenAI(chunk.usage ?? chunk.x_groq?.usage);
  }
  return undefined;
};

for (const path of RECORDINGS) {
  for (const size of [1, 7, 4096]) {
    test(`${path} in ${size}-character pieces: every event out unchanged, usage read`, () => {
      const events = fixtureEvents(path);
      const asked = new OpenAIPassthrough(true);
      assert.equal(feed(asked, events.join(''), size), events.join(''));
      assert.deepEqual(asked.observation.usage, lastUsage(events));
      assert.equal(asked.observation.sawDone, events.some((event) => event.includes('[DONE]')));

      const notAsked = new OpenAIPassthrough(false);
      assert.equal(feed(notAsked, events.join(''), size), events.filter((event) => !isUsageOnly(event)).join(''));
      assert.deepEqual(notAsked.observation.usage, lastUsage(events));
    });
  }
}

test('an event is let out as soon as its blank line arrives, not when the next one starts', () => {
  const passthrough = new OpenAIPassthrough(false);
  assert.equal(passthrough.push('data: {"choices":[{"index":0,"delta":{"content":"a"}}]}\n'), '');
  assert.equal(passthrough.push('\n'), 'data: {"choices":[{"index":0,"delta":{"content":"a"}}]}\n\n');
  assert.equal(passthrough.push(': keep-alive\n\n'), ': keep-alive\n\n');
});

test('usage in a chunk that also carries a choice is kept for the client and read', () => {
  const passthrough = new OpenAIPassthrough(false);
  const event = 'data: {"choices":[{"index":0,"delta":{},"finish_reason":"stop"}],"usage":{"prompt_tokens":3,"completion_tokens":4,"prompt_tokens_details":{"cached_tokens":1}}}\n\n';
  assert.equal(passthrough.push(event), event);
  assert.deepEqual(passthrough.observation.usage, { promptTokens: 3, completionTokens: 4, cachedTokens: 1 });
});

test('a malformed usage-looking event goes through untouched', () => {
  const passthrough = new OpenAIPassthrough(false);
  const event = 'data: {"usage": {"prompt_tokens": 3, \n\n';
  assert.equal(passthrough.push(event), 'data: {"usage": {"prompt_tokens": 3, \n\n');
  assert.equal(passthrough.observation.usage, undefined);
});

test("Groq's usage under x_groq alone is read", () => {
  const passthrough = new OpenAIPassthrough(false);
  passthrough.push('data: {"choices":[{"index":0,"delta":{},"finish_reason":"stop"}],"x_groq":{"id":"req_1","usage":{"prompt_tokens":210,"completion_tokens":15}}}\n\n');
  assert.deepEqual(passthrough.observation.usage, { promptTokens: 210, completionTokens: 15 });
});

test('bytes split inside a character (as the upstream socket delivers them) come out whole, byte for byte', () => {
  const text = 'data: {"choices":[{"index":0,"delta":{"content":"héllo 你好 🚀"}}]}\n\ndata: [DONE]\n\n';
  const bytes = Buffer.from(text, 'utf8');
  for (const size of [1, 2, 3, 5, 7]) {
    const passthrough = new OpenAIPassthrough(false);
    let output = '';
    for (let offset = 0; offset < bytes.length; offset += size) output += passthrough.push(bytes.subarray(offset, offset + size));
    output += passthrough.end();
    assert.equal(output, text, `pieces of ${size} bytes`);
  }
});
