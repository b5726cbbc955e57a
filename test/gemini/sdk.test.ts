import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { GoogleGenAI, FinishReason, type Content, type GenerateContentResponse } from '@google/genai';
import { sendEvents, sendJson } from '../support/fake-upstream.js';
import { fixtureEvents, fixtureJson } from '../support/fixtures.js';
import { TEST_KEY, TEST_TOKEN } from '../support/gateway.js';
import { startMessagesGateway, type MessagesGateway } from '../messages/messages-gateway.js';
import { recordedAnswer } from '../messages/recorded-answers.js';

/** Google's own SDK (@google/genai, `httpOptions.baseUrl` at the gateway) against the running
 * gateway, over OpenAI-compatible, Anthropic and Gemini recordings served by a fake on 127.0.0.1. */

const TEXT_STREAM = 'openai/chat-stream-text-include-usage-gpt-4o.openai-python.sse';
const TEXT_WHOLE = 'openai/chat-completion-text-gpt-4-1-nano.vercel.json';
const TOOLS_STREAM = 'openai/chat-stream-parallel-tool-calls.openai-python.sse';
const ANTHROPIC_TOOL_STREAM = 'anthropic/stream-text-then-tool-use-raw-sse.anthropic-sdk-python.sse';
const ANTHROPIC_TOOL_WHOLE = 'anthropic/message-tool-use-json-haiku-4-5.vercel.json';
const GEMINI_STREAM = 'gemini/stream-text-thoughts-token-count.vercel.jsonl';
const GEMINI_WHOLE = 'gemini/generate-text-thoughts-token-count.vercel.json';
const OPENAI_EMBEDDINGS = 'openai/embeddings-text-embedding-3-small.vercel.json';

let harness: MessagesGateway;
/** The SDK's default API version (v1: `/v1/models/...`). */
let genai: GoogleGenAI;
/** The version Gemini CLI and older SDKs use (`/v1beta/models/...`). */
let genaiBeta: GoogleGenAI;

before(async () => {
  harness = await startMessagesGateway(
    { 'gpt-4o': { stream: TEXT_STREAM, whole: TEXT_WHOLE }, 'gpt-5-mini': { whole: TEXT_WHOLE }, 'tools-model': { stream: TOOLS_STREAM } },
    { 'claude-sonnet-4-20250514': { stream: ANTHROPIC_TOOL_STREAM, whole: ANTHROPIC_TOOL_WHOLE } },
    {
      'POST /v1beta/models/gemini-3-pro-preview:streamGenerateContent': (_request, response) => sendEvents(response, fixtureEvents(GEMINI_STREAM)),
      'POST /v1beta/models/gemini-3-pro-preview:generateContent': (_request, response) => sendJson(response, 200, fixtureJson(GEMINI_WHOLE)),
      // Gemini counts and embeds itself; these answers are written here, not recorded.
      'POST /v1beta/models/gemini-3-pro-preview:countTokens': (request, response) => sendJson(response, 200, { totalTokens: 7000 + request.json().contents.length }),
      'POST /v1beta/models/text-embedding-004:batchEmbedContents': (request, response) => sendJson(response, 200, { embeddings: request.json().requests.map(() => ({ values: [0.25, -0.5] })) }),
      'POST /v1beta/models/text-embedding-004:embedContent': (_request, response) => sendJson(response, 200, { embedding: { values: [0.5, 0.75] } }),
      'GET /v1beta/models': (_request, response) =>
        sendJson(response, 200, { models: [{ name: 'models/gemini-3-pro-preview', displayName: 'Gemini 3 Pro', inputTokenLimit: 1048576, outputTokenLimit: 65536, supportedGenerationMethods: ['generateContent', 'countTokens'] }] }),
      'POST /v1/embeddings': (_request, response) => sendJson(response, 200, fixtureJson(OPENAI_EMBEDDINGS)),
    },
  );
  genai = new GoogleGenAI({ apiKey: TEST_TOKEN, httpOptions: { baseUrl: harness.root } });
  genaiBeta = new GoogleGenAI({ apiKey: TEST_TOKEN, httpOptions: { baseUrl: harness.root, apiVersion: 'v1beta' } });
});

after(() => harness.close());

const collect = async (stream: AsyncGenerator<GenerateContentResponse>): Promise<GenerateContentResponse[]> => {
  const chunks: GenerateContentResponse[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return chunks;
};

test('generateContent over an OpenAI-compatible upstream: text, finish reason, usage and the ledger', async () => {
  const before = harness.records.length;
  const response = await genai.models.generateContent({ model: 'gpt-4o', contents: 'hi', config: { systemInstruction: 'Be brief.', temperature: 0.2, maxOutputTokens: 200, safetySettings: [{ category: 'HARM_CATEGORY_HATE_SPEECH' as never, threshold: 'BLOCK_NONE' as never }] } });
  assert.equal(response.text, fixtureJson(TEXT_WHOLE).choices[0].message.content);
  assert.equal(response.candidates?.[0]?.finishReason, FinishReason.STOP);
  assert.equal(response.modelVersion, 'gpt-4o');
  assert.ok(response.responseId);
  const sent = harness.upstream.last().json();
  assert.equal(harness.upstream.last().headers.authorization, `Bearer ${TEST_KEY}`);
  assert.deepEqual(sent.messages, [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'hi' }]);
  assert.equal(sent.temperature, 0.2);
  assert.equal(sent.max_tokens, 200);
  assert.equal(sent.safetySettings, undefined, 'safety settings are not sent to another provider');
  const record = await harness.recordAt(before);
  assert.equal(record.endpoint, '/v1beta/models:generateContent');
  assert.equal(record.status, 200);
  assert.equal(response.usageMetadata?.promptTokenCount, record.promptTokens);
  assert.equal(response.usageMetadata?.candidatesTokenCount, record.completionTokens);
});

test('maxOutputTokens to an OpenAI reasoning model goes as max_completion_tokens (max_tokens is refused there)', async () => {
  await genai.models.generateContent({ model: 'gpt-5-mini', contents: 'hi', config: { maxOutputTokens: 100 } });
  const sent = harness.upstream.last().json();
  assert.equal(sent.max_completion_tokens, 100);
  assert.equal(sent.max_tokens, undefined);
});

test("Gemini CLI's sampling (chat: temperature 1, topP 0.95; utility calls: temperature 0) reaches an OpenAI reasoning model without the values it would refuse", async () => {
  await genai.models.generateContent({ model: 'gpt-5-mini', contents: 'hi', config: { temperature: 1, topP: 0.95 } });
  const chat = harness.upstream.last().json();
  assert.equal(chat.temperature, 1, 'the default value is kept');
  assert.equal('top_p' in chat, false);
  await genai.models.generateContent({ model: 'gpt-5-mini', contents: 'hi', config: { temperature: 0, topP: 1 } });
  const utility = harness.upstream.last().json();
  assert.equal('temperature' in utility, false);
  assert.equal(utility.top_p, 1);
  // A model that takes it keeps it.
  await genai.models.generateContent({ model: 'gpt-4o', contents: 'hi', config: { temperature: 0 } });
  assert.equal(harness.upstream.last().json().temperature, 0);
});

test('generateContentStream (v1beta, as Gemini CLI calls it) over an OpenAI-compatible upstream: the text as recorded, usage on the last chunk', async () => {
  const expected = await recordedAnswer(TEXT_STREAM);
  const before = harness.records.length;
  const chunks = await collect(await genaiBeta.models.generateContentStream({ model: 'gpt-4o', contents: 'hi' }));
  assert.equal(chunks.map((chunk) => chunk.text ?? '').join(''), expected.choices[0]!.content);
  assert.ok(chunks.length > 2, 'text arrives in several chunks');
  const last = chunks.at(-1)!;
  assert.equal(last.candidates?.[0]?.finishReason, FinishReason.STOP);
  assert.equal(last.usageMetadata?.promptTokenCount, expected.usage!.promptTokens);
  assert.equal(last.usageMetadata?.candidatesTokenCount, expected.usage!.completionTokens);
  assert.equal(chunks.slice(0, -1).filter((chunk) => chunk.usageMetadata).length, 0, 'usage only on the last chunk');
  assert.deepEqual(harness.upstream.last().json().stream_options, { include_usage: true });
  const record = await harness.recordAt(before);
  assert.equal(record.endpoint, '/v1beta/models:streamGenerateContent');
  assert.equal(record.stream, true);
  assert.equal(record.promptTokens, expected.usage!.promptTokens);
});

test('parallel function calls from an OpenAI-compatible stream reach the SDK whole, with their arguments', async () => {
  const expected = await recordedAnswer(TOOLS_STREAM);
  const chunks = await collect(
    await genai.models.generateContentStream({
      model: 'tools-model',
      contents: 'weather and stock',
      config: { tools: [{ functionDeclarations: [{ name: 'GetWeatherArgs', parametersJsonSchema: { type: 'object', properties: { city: { type: 'string' } } } }, { name: 'get_stock_price', parameters: { type: 'OBJECT' as never, properties: { ticker: { type: 'STRING' as never } } } }] }], toolConfig: { functionCallingConfig: { mode: 'ANY' as never } } },
    }),
  );
  const calls = chunks.flatMap((chunk) => chunk.functionCalls ?? []);
  assert.deepEqual(
    calls.map((call) => ({ name: call.name, args: call.args })),
    expected.choices[0]!.toolCalls.map((call) => ({ name: call.name, args: JSON.parse(call.arguments) })),
  );
  const sent = harness.upstream.last().json();
  assert.equal(sent.tool_choice, 'required');
  assert.deepEqual(sent.tools[1].function.parameters, { type: 'object', properties: { ticker: { type: 'string' } } }, 'an OpenAPI schema becomes JSON Schema');
});

test('a function-calling round trip over an Anthropic upstream, the model id with its plain slash', async () => {
  const model = 'anthropic/claude-sonnet-4-20250514';
  const tools = [{ functionDeclarations: [{ name: 'get_weather', description: 'Weather', parametersJsonSchema: { type: 'object', properties: { location: { type: 'string' } } } }] }];
  const first = await genai.models.generateContent({ model, contents: 'weather in SF?', config: { tools } });
  const call = first.functionCalls?.[0];
  assert.ok(call?.name, 'the model asked for a call');
  assert.equal(harness.upstream.last().url, '/v1/messages');
  const history: Content[] = [
    { role: 'user', parts: [{ text: 'weather in SF?' }] },
    first.candidates![0]!.content!,
    { role: 'user', parts: [{ functionResponse: { id: call.id, name: call.name, response: { output: 'sunny, 21 C' } } }] },
  ];
  await genai.models.generateContent({ model, contents: history, config: { tools } });
  const sent = harness.upstream.last().json();
  const toolUse = sent.messages[1].content.find((block: { type: string }) => block.type === 'tool_use');
  const toolResult = sent.messages[2].content.find((block: { type: string }) => block.type === 'tool_result');
  assert.equal(toolUse.name, call.name);
  assert.deepEqual(toolUse.input, call.args);
  assert.equal(toolResult.tool_use_id, toolUse.id, 'the response answers the call it names');
  assert.match(JSON.stringify(toolResult.content), /sunny, 21 C/);
});

test('the model id URL-encoded in the path is the same model', async () => {
  const answer = await fetch(`${harness.root}/v1beta/models/anthropic%2Fclaude-sonnet-4-20250514:generateContent`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-goog-api-key': TEST_TOKEN },
    body: JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'hi' }] }] }),
  });
  assert.equal(answer.status, 200);
  assert.equal(((await answer.json()) as { modelVersion: string }).modelVersion, 'anthropic/claude-sonnet-4-20250514');
});

test('a gemini/* model is relayed natively: the recorded chunks and usage, the key replaced', async () => {
  const before = harness.records.length;
  const chunks = await collect(await genaiBeta.models.generateContentStream({ model: 'gemini/gemini-3-pro-preview', contents: 'how many r in strawberry?', config: { safetySettings: [{ category: 'HARM_CATEGORY_HATE_SPEECH' as never, threshold: 'BLOCK_NONE' as never }] } }));
  const recorded = fixtureEvents(GEMINI_STREAM).map((event) => JSON.parse(event.replace(/^data: /, '')));
  assert.equal(chunks.map((chunk) => chunk.text ?? '').join(''), recorded.map((chunk) => chunk.candidates?.[0]?.content?.parts?.map((part: { text?: string; thought?: boolean }) => (part.thought ? '' : (part.text ?? ''))).join('') ?? '').join(''));
  const seen = harness.upstream.last();
  assert.equal(seen.url, '/v1beta/models/gemini-3-pro-preview:streamGenerateContent?alt=sse');
  assert.equal(seen.headers['x-goog-api-key'], TEST_KEY);
  assert.deepEqual(seen.json().safetySettings, [{ category: 'HARM_CATEGORY_HATE_SPEECH', threshold: 'BLOCK_NONE' }], 'relayed natively');
  const usage = recorded.at(-1).usageMetadata;
  const record = await harness.recordAt(before);
  assert.equal(record.promptTokens, usage.promptTokenCount);
  assert.equal(record.completionTokens, usage.candidatesTokenCount + usage.thoughtsTokenCount);
  assert.equal(record.reasoningTokens, usage.thoughtsTokenCount);

  const whole = await genai.models.generateContent({ model: 'gemini/gemini-3-pro-preview', contents: 'how many r in strawberry?' });
  assert.equal(whole.text, fixtureJson(GEMINI_WHOLE).candidates[0].content.parts[0].text);
});

test('countTokens: counted by a Gemini upstream, estimated for other models, no ledger record', async () => {
  const before = harness.records.length;
  const counted = await genai.models.countTokens({ model: 'gemini/gemini-3-pro-preview', contents: 'hello there' });
  assert.equal(counted.totalTokens, 7001);
  const estimated = await genai.models.countTokens({ model: 'gpt-4o', contents: 'x'.repeat(400) });
  assert.equal(estimated.totalTokens, 100);
  assert.equal(harness.records.length, before);
});

test('embedContent: relayed to a Gemini upstream, through OpenAI embeddings for other models', async () => {
  const gemini = await genai.models.embedContent({ model: 'gemini/text-embedding-004', contents: 'hello' });
  assert.deepEqual(gemini.embeddings?.[0]?.values, [0.25, -0.5]);
  const openai = await genai.models.embedContent({ model: 'text-embedding-3-small', contents: ['hello', 'world'] });
  const recorded = fixtureJson(OPENAI_EMBEDDINGS);
  assert.deepEqual(openai.embeddings?.[0]?.values, recorded.data[0].embedding);
  assert.deepEqual(harness.upstream.last().json().input, ['hello', 'world']);
  const single = await fetch(`${harness.root}/v1beta/models/gemini/text-embedding-004:embedContent`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-goog-api-key': TEST_TOKEN },
    body: JSON.stringify({ content: { parts: [{ text: 'hello' }] } }),
  });
  assert.deepEqual(await single.json(), { embedding: { values: [0.5, 0.75] } });
});

test('the catalog in Gemini shape: names, token limits, methods', async () => {
  for (const client of [genai, genaiBeta]) {
    const models = [];
    for await (const model of await client.models.list()) models.push(model);
    const gpt = models.find((model) => model.name === 'models/gpt-4o');
    assert.ok(gpt, 'gpt-4o is listed');
    assert.ok(gpt.inputTokenLimit && gpt.inputTokenLimit > 0);
    assert.ok(gpt.outputTokenLimit && gpt.outputTokenLimit > 0);
    assert.deepEqual(gpt.supportedActions, ['generateContent', 'streamGenerateContent', 'countTokens']);
    const gemini = models.find((model) => model.name === 'models/gemini/gemini-3-pro-preview');
    assert.equal(gemini?.inputTokenLimit, 1048576);
    const one = await client.models.get({ model: 'gemini/gemini-3-pro-preview' });
    assert.equal(one.name, 'models/gemini/gemini-3-pro-preview');
    assert.equal(one.outputTokenLimit, 65536);
  }
  // The same paths without Google's key header stay OpenAI's.
  const openai = await fetch(`${harness.root}/v1/models`, { headers: { authorization: `Bearer ${TEST_TOKEN}` } });
  assert.equal(((await openai.json()) as { object: string }).object, 'list');
});
