import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import { fixtureJson } from '../support/fixtures.js';
import { TEST_TOKEN } from '../support/gateway.js';
import { expectedAnswer, geminiCases } from './gemini-expected.js';
import { startConformanceHarness, type ConformanceHarness } from './support.js';

/** Gemini models behind the Anthropic Messages inbound (Claude Code's way in): the official
 * Anthropic SDK sees the recorded calls and thoughts, and a tool_result round trip reaches Gemini
 * as the recorded follow-up request. */

let harness: ConformanceHarness;
let anthropic: Anthropic;

before(async () => {
  harness = await startConformanceHarness('gemini');
  anthropic = new Anthropic({ baseURL: `http://127.0.0.1:${harness.gateway.port}`, apiKey: TEST_TOKEN, maxRetries: 0 });
});

after(async () => {
  await harness.close();
});

const toolUses = (message: Anthropic.Message) => message.content.flatMap((block) => (block.type === 'tool_use' ? [block] : []));

test('parallel calls with a thoughtSignature, then tool_result blocks: Gemini gets the recorded follow-up', async () => {
  const [first, second] = fixtureJson('gemini/recording-generate-parallel-function-calls-thought-signature-gemini-2-5-pro.js-genai.json').interactions;
  const recordedFirst = first.request.bodySegments[0];
  const recordedSecond = second.request.bodySegments[0];
  const tools: Anthropic.Tool[] = recordedFirst.tools.flatMap((tool: any) => tool.functionDeclarations).map((declaration: any) => ({ name: declaration.name, input_schema: declaration.parametersJsonSchema }));
  const question: Anthropic.MessageParam = { role: 'user', content: recordedFirst.contents[0].parts[0].text };
  const serve = (interaction: any) =>
    harness.serve('POST /v1beta/models/gemini-2.5-pro:generateContent', { status: 200, headers: { 'content-type': 'application/json' }, chunks: [JSON.stringify(interaction.response.bodySegments[0])] });

  serve(first);
  const message = await anthropic.messages.create({ model: 'gemini/gemini-2.5-pro', max_tokens: 1024, tools, messages: [question] });
  const expected = expectedAnswer(first.response.bodySegments);
  assert.equal(message.stop_reason, 'tool_use');
  assert.deepEqual(
    toolUses(message).map((block) => ({ name: block.name, arguments: block.input })),
    expected.toolCalls,
  );
  assert.equal(new Set(toolUses(message).map((block) => block.id)).size, expected.toolCalls.length);

  serve(second);
  const responses = recordedSecond.contents[2].parts.map((part: any) => part.functionResponse.response);
  const answer = await anthropic.messages.create({
    model: 'gemini/gemini-2.5-pro',
    max_tokens: 1024,
    tools,
    messages: [
      question,
      { role: 'assistant', content: message.content },
      { role: 'user', content: toolUses(message).map((block, index) => ({ type: 'tool_result' as const, tool_use_id: block.id, content: JSON.stringify(responses[index]) })) },
    ],
  });
  assert.deepEqual(harness.upstream.last().json().contents, recordedSecond.contents);
  assert.equal(
    answer.content.flatMap((block) => (block.type === 'text' ? [block.text] : [])).join(''),
    expectedAnswer(second.response.bodySegments).text,
  );
});

test('a Vertex stream with thoughts and parallel calls in pieces reaches the Anthropic SDK whole', async () => {
  const replay = geminiCases().find((candidate) => candidate.name.includes('vertex-stream-thought-parts-parallel'));
  assert.ok(replay);
  harness.serve('POST /v1beta/models/gemini-3-flash-preview:streamGenerateContent', replay.recording);
  const stream = anthropic.messages.stream({ model: 'gemini/gemini-3-flash-preview', max_tokens: 1024, messages: [{ role: 'user', content: 'replay' }] });
  const message = await stream.finalMessage();
  const expected = expectedAnswer(replay.chunks);
  assert.equal(message.stop_reason, 'tool_use');
  assert.equal(
    message.content.flatMap((block) => (block.type === 'thinking' ? [block.thinking] : [])).join(''),
    expected.reasoning,
  );
  assert.deepEqual(
    toolUses(message).map((block) => ({ name: block.name, arguments: block.input })),
    expected.toolCalls,
  );
  assert.equal(message.usage.output_tokens, expected.usage?.completion_tokens);
});
