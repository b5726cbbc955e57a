import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import { recordingFromFile } from '../conformance/support.js';
import { fixtureText } from '../support/fixtures.js';
import { accounting, startUsageHarness, waitForRecords, type UsageHarness } from './support.js';

/** Accounting from recorded real traffic, through the running gateway: the ledger record of a
 * streamed run equals the record of the same answer served whole. The whole answers are built
 * from the same recordings (by the official Anthropic SDK for Anthropic; for OpenAI and Gemini by
 * joining the text and keeping the final usage, as the providers' whole answers carry it). */

let harness: UsageHarness;

before(async () => {
  harness = await startUsageHarness();
});

after(async () => {
  await harness.close();
});

const ask = { messages: [{ role: 'user' as const, content: 'replay' }] };

const lastRecord = () => {
  const record = harness.records().at(-1);
  assert.ok(record, 'a ledger record was written');
  return record;
};

/** An OpenAI recording's payloads (`.sse` or one-per-line `.jsonl`). */
const openAIChunks = (path: string): any[] => {
  const text = fixtureText(path);
  const payloads = path.endsWith('.sse') ? text.split('\n').filter((line) => line.startsWith('data: ')).map((line) => line.slice(6)) : text.split('\n').filter(Boolean);
  return payloads.filter((payload) => payload !== '[DONE]').map((payload) => JSON.parse(payload));
};

const openAIWhole = (path: string) => {
  const chunks = openAIChunks(path);
  const usageChunk = chunks.at(-1);
  return {
    id: chunks[0].id,
    object: 'chat.completion',
    created: chunks[0].created,
    model: chunks[0].model,
    choices: [{ index: 0, message: { role: 'assistant', content: chunks.map((chunk) => chunk.choices[0]?.delta?.content ?? '').join('') }, finish_reason: 'stop', logprobs: null }],
    usage: usageChunk.usage,
  };
};

const json = (body: unknown) => ({ status: 200, headers: { 'content-type': 'application/json' }, chunks: [JSON.stringify(body)] });

describe('OpenAI recordings: the final usage chunk with empty choices', () => {
  const cases = [
    { path: 'openai/chat-stream-text-include-usage-gpt-4o.openai-python.sse', model: 'gpt-4o', prompt: 14, completion: 30, cost: (14 * 2.5 + 30 * 10) / 1e6 },
    { path: 'openai/chat-stream-text-include-usage-gpt-4-1-nano.vercel.jsonl', model: 'gpt-4.1-nano', prompt: 16, completion: 300, cost: (16 * 0.1 + 300 * 0.4) / 1e6 },
  ];
  for (const { path, model, prompt, completion, cost } of cases) {
    test(`${path}: streamed (usage not asked for) and whole runs account the same`, async () => {
      harness.serve('POST /v1/chat/completions', recordingFromFile(path));
      const stream = await harness.client.chat.completions.create({ model, stream: true, ...ask });
      let usageChunks = 0;
      for await (const chunk of stream) if (chunk.usage) usageChunks += 1;
      assert.equal(usageChunks, 0, 'the usage chunk nobody asked for is dropped');
      const streamed = lastRecord();
      assert.equal(streamed.stream, true);

      harness.serve('POST /v1/chat/completions', json(openAIWhole(path)));
      const whole = await harness.client.chat.completions.create({ model, ...ask });
      assert.equal(whole.usage?.completion_tokens, completion);
      const wholeRecord = lastRecord();
      assert.equal(wholeRecord.stream, false);

      assert.deepEqual(accounting(streamed), accounting(wholeRecord));
      assert.equal(streamed.promptTokens, prompt);
      assert.equal(streamed.completionTokens, completion);
      assert.equal(streamed.costSource, 'catalog');
      assert.equal(streamed.costUsd, Math.round(cost * 1e10) / 1e10);
      assert.match(streamed.costSourceDetail ?? '', /2025-10-01/, 'the price table and its date are recorded');
    });
  }

  test('a client that asked for usage gets the chunk, and the record is the same', async () => {
    const path = 'openai/chat-stream-text-include-usage-gpt-4o.openai-python.sse';
    harness.serve('POST /v1/chat/completions', recordingFromFile(path));
    const stream = await harness.client.chat.completions.create({ model: 'gpt-4o', stream: true, stream_options: { include_usage: true }, ...ask });
    const usages = [];
    for await (const chunk of stream) if (chunk.usage) usages.push(chunk.usage);
    assert.equal(usages.length, 1);
    assert.equal(usages[0]?.prompt_tokens, lastRecord().promptTokens);
    assert.equal(usages[0]?.completion_tokens, lastRecord().completionTokens);
  });
});

/** The message the Anthropic SDK accumulates from a recorded stream. */
const anthropicWhole = async (path: string): Promise<Anthropic.Message> => {
  harness.serve('POST /v1/messages', recordingFromFile(path));
  const anthropic = new Anthropic({ baseURL: harness.upstream.url(''), apiKey: 'fake-key-for-the-fake-upstream', maxRetries: 0 });
  return JSON.parse(JSON.stringify(await anthropic.messages.stream({ model: 'claude-opus-4-5', max_tokens: 1024, ...ask }).finalMessage()));
};

describe('Anthropic recordings: cache tokens', () => {
  // claude-opus-4-5: $5 input, $0.50 cache read, $6.25 cache write, $25 output per 1M tokens.
  const cases = [
    {
      path: 'anthropic/stream-server-tool-use-cache-creation-usage.vercel.jsonl',
      // message_delta's cumulative usage wins: input 6, cache write 3337, cache read 6289, output 198.
      expected: { promptTokens: 6 + 3337 + 6289, cachedTokens: 6289, cacheCreationTokens: 3337, completionTokens: 198 },
      cost: (6 * 5 + 6289 * 0.5 + 3337 * 6.25 + 198 * 25) / 1e6, // 0.02898075
    },
    {
      path: 'anthropic/stream-max-tokens-cache-read-usage.vercel.jsonl',
      expected: { promptTokens: 3 + 18639, cachedTokens: 18639, cacheCreationTokens: 0, completionTokens: 1 },
      cost: (3 * 5 + 18639 * 0.5 + 1 * 25) / 1e6, // 0.0093595
    },
  ];
  for (const { path, expected, cost } of cases) {
    test(`${path}: streamed and whole runs account the same, cache tokens included`, async () => {
      const message = await anthropicWhole(path);
      harness.serve('POST /v1/messages', recordingFromFile(path));
      const stream = await harness.client.chat.completions.create({ model: 'anthropic/claude-opus-4-5', stream: true, ...ask });
      for await (const chunk of stream) void chunk;
      const streamed = lastRecord();

      harness.serve('POST /v1/messages', json(message));
      await harness.client.chat.completions.create({ model: 'anthropic/claude-opus-4-5', ...ask });
      const whole = lastRecord();

      assert.deepEqual(accounting(streamed), accounting(whole));
      assert.deepEqual(
        { promptTokens: streamed.promptTokens, cachedTokens: streamed.cachedTokens, cacheCreationTokens: streamed.cacheCreationTokens, completionTokens: streamed.completionTokens },
        expected,
      );
      assert.equal(streamed.provider, 'anthropic');
      assert.equal(streamed.costUsd, Math.round(cost * 1e10) / 1e10);
    });
  }
});

describe('Gemini recordings: thoughts tokens', () => {
  const model = 'gemini-3-pro-preview';
  const streamRoute = `POST /v1beta/models/${model}:streamGenerateContent`;
  const wholeRoute = `POST /v1beta/models/${model}:generateContent`;

  test('a streamed answer and the whole answer joined from it account the same; thoughts count as reasoning output', async () => {
    const path = 'gemini/stream-text-thoughts-token-count.vercel.jsonl';
    const chunks = fixtureText(path).split('\n').filter(Boolean).map((line) => JSON.parse(line));
    const whole = {
      candidates: [{ content: { role: 'model', parts: [{ text: chunks.map((chunk) => chunk.candidates[0].content.parts.map((part: { text?: string }) => part.text ?? '').join('')).join('') }] }, finishReason: 'STOP', index: 0 }],
      usageMetadata: chunks.at(-1).usageMetadata,
      modelVersion: chunks.at(-1).modelVersion,
    };
    harness.serve(streamRoute, recordingFromFile(path));
    const stream = await harness.client.chat.completions.create({ model: `gemini/${model}`, stream: true, ...ask });
    for await (const chunk of stream) void chunk;
    const streamed = lastRecord();
    harness.serve(wholeRoute, json(whole));
    await harness.client.chat.completions.create({ model: `gemini/${model}`, ...ask });
    assert.deepEqual(accounting(streamed), accounting(lastRecord()));
    // prompt 9; output = candidates 29 + thoughts 256; $2 in, $12 out per 1M.
    assert.deepEqual([streamed.promptTokens, streamed.completionTokens, streamed.reasoningTokens], [9, 285, 256]);
    assert.equal(streamed.costUsd, (9 * 2 + 285 * 12) / 1e6);
  });

  test('the recorded whole answer: candidates 29 + thoughts 282', async () => {
    harness.serve(wholeRoute, recordingFromFile('gemini/generate-text-thoughts-token-count.vercel.json'));
    await harness.client.chat.completions.create({ model: `gemini/${model}`, ...ask });
    const record = lastRecord();
    assert.deepEqual([record.promptTokens, record.completionTokens, record.reasoningTokens], [9, 311, 282]);
    assert.equal(record.costUsd, (9 * 2 + 311 * 12) / 1e6); // 0.00375
  });
});

describe('cut streams are still recorded', () => {
  const chunk = (content: string) => `data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'gpt-4o', choices: [{ index: 0, delta: { content }, finish_reason: null }] })}\n\n`;

  test('by the client: the record is written with estimated counts, marked as such', async () => {
    const before = harness.records().length;
    harness.upstream.on('POST /v1/chat/completions', async (_request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      for (let index = 0; index < 200 && !response.destroyed; index += 1) {
        response.write(chunk(`word${index} `));
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      response.end();
    });
    const stream = await harness.client.chat.completions.create({ model: 'gpt-4o', stream: true, ...ask });
    let seen = 0;
    // Leaving the loop makes the SDK abort its request: the client goes away mid-stream.
    for await (const part of stream) {
      void part;
      seen += 1;
      if (seen === 5) break;
    }
    const record = (await waitForRecords(harness, before + 1)).at(-1)!;
    assert.equal(record.errorCode, 'client_closed');
    assert.equal(record.costSource, 'estimate');
    assert.ok(record.completionTokens >= 5 && record.completionTokens < 200, `completion estimate ${record.completionTokens}`);
    assert.ok(record.promptTokens > 0);
    assert.ok((record.costUsd ?? 0) > 0);
  });

  test('by the upstream: the record says the stream broke and keeps the estimate', async () => {
    harness.upstream.on('POST /v1/chat/completions', async (_request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      for (let index = 0; index < 10; index += 1) {
        response.write(chunk(`word${index} `));
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
      response.socket?.destroy();
    });
    const stream = await harness.client.chat.completions.create({ model: 'gpt-4o', stream: true, ...ask });
    await assert.rejects(async () => {
      for await (const part of stream) void part;
    });
    const record = lastRecord();
    assert.equal(record.errorCode, 'upstream_stream_broken');
    assert.equal(record.status, 502);
    assert.equal(record.costSource, 'estimate');
    assert.ok(record.completionTokens >= 1 && record.completionTokens <= 10, `completion estimate ${record.completionTokens}`);
  });

  test('an upstream refusal before any output costs nothing, explicitly', async () => {
    harness.upstream.on('POST /v1/chat/completions', (_request, response) => {
      response.writeHead(400, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: { message: 'bad', type: 'invalid_request_error', code: null, param: null } }));
    });
    await assert.rejects(harness.client.chat.completions.create({ model: 'gpt-4o', ...ask }));
    const record = lastRecord();
    assert.equal(record.status, 400);
    assert.equal(record.costUsd, 0);
    assert.equal(record.costSource, 'none');
  });
});
