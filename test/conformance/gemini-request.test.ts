import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { convertChatRequest } from '../../proxy/dialects/gemini/encode-request.js';
import { GatewayError } from '../../proxy/errors.js';
import type { ChatRequest } from '../../proxy/adapters/types.js';
import { fixtureJson } from '../support/fixtures.js';
import { collectStream, startConformanceHarness, type ConformanceHarness } from './support.js';

/** The request side: what Gemini receives for an OpenAI request. Recorded requests (made by
 * Google's own SDK) are the reference where a recording has one. */

const interactions = (name: string): any[] => fixtureJson(`gemini/${name}`).interactions;
const recordedModel = (interaction: any): string => /models\/([^:]+):/.exec(interaction.request.url)?.[1] as string;
const declarations = (body: any): any[] => (body.tools ?? []).flatMap((tool: any) => tool.functionDeclarations);

let harness: ConformanceHarness;

before(async () => {
  harness = await startConformanceHarness('gemini');
});

after(async () => {
  await harness.close();
});

/** Serves one recorded interaction's response at the path the recording was made on. */
const serveInteraction = (interaction: any): void => {
  const path = String(interaction.request.url).split('?')[0]?.replace('/v1alpha/', '/v1beta/');
  const stream = String(interaction.request.url).includes(':stream');
  const segments: any[] = interaction.response.bodySegments;
  harness.serve(`POST ${path}`, {
    status: interaction.response.statusCode,
    headers: { 'content-type': interaction.response.headers['Content-Type'] },
    chunks: stream ? segments.map((segment) => `data: ${JSON.stringify(segment)}\r\n\r\n`) : [JSON.stringify(segments[0])],
  });
};

describe('recorded requests', () => {
  test('parallel calls with a thoughtSignature: the follow-up turn carries the signature back and names every function response', async () => {
    const [first, second] = interactions('recording-generate-parallel-function-calls-thought-signature-gemini-2-5-pro.js-genai.json');
    const recordedFirst = first.request.bodySegments[0];
    const model = `gemini/${recordedModel(first)}`;
    const tools = declarations(recordedFirst).map((declaration) => ({ type: 'function' as const, function: { name: declaration.name, parameters: declaration.parametersJsonSchema } }));
    const question = { role: 'user' as const, content: recordedFirst.contents[0].parts[0].text as string };

    serveInteraction(first);
    const answer = await harness.client.chat.completions.create({ model, messages: [question], tools, tool_choice: 'auto' });
    const sentFirst = harness.upstream.last().json();
    assert.deepEqual(sentFirst.contents, recordedFirst.contents);
    assert.deepEqual(declarations(sentFirst), declarations(recordedFirst));
    assert.deepEqual(sentFirst.toolConfig, recordedFirst.toolConfig);

    const recordedSecond = second.request.bodySegments[0];
    const responses = recordedSecond.contents[2].parts.map((part: any) => part.functionResponse);
    const calls = answer.choices[0]?.message.tool_calls ?? [];
    assert.equal(calls.length, responses.length);
    serveInteraction(second);
    await harness.client.chat.completions.create({
      model,
      tools,
      tool_choice: 'auto',
      messages: [
        question,
        { role: 'assistant', content: null, tool_calls: calls },
        // The results come back in reverse order: the names must come from the ids, not positions.
        ...calls.map((call, index) => ({ role: 'tool' as const, tool_call_id: call.id, content: JSON.stringify(responses[index].response) })).reverse(),
      ],
    });
    const sentSecond = harness.upstream.last().json();
    assert.deepEqual(sentSecond.contents.slice(0, 2), recordedSecond.contents.slice(0, 2));
    const sentResponses = sentSecond.contents[2].parts.map((part: any) => part.functionResponse);
    assert.deepEqual(sentResponses.reverse(), responses);
  });

  test('a streamed function call, then a new question: the follow-up contents are the recorded ones', async () => {
    const [first, second] = interactions('recording-stream-function-call-single-chunk-gemini-2-0-flash.js-genai.json');
    const model = `gemini/${recordedModel(first)}`;
    const recordedSecond = second.request.bodySegments[0];
    const declaration = recordedSecond.tools[0].functionDeclarations[0];
    const tools = [{ type: 'function' as const, function: { name: declaration.name, description: declaration.description, parameters: { type: 'object', properties: { denominator: { type: 'number' }, numerator: { type: 'number' } } } } }];
    const question = { role: 'user' as const, content: first.request.bodySegments[0].contents[0].parts[0].text as string };

    serveInteraction(first);
    const stream = await harness.client.chat.completions.create({ model, stream: true, messages: [question], tools });
    const calls: { id: string; type: 'function'; function: { name: string; arguments: string } }[] = [];
    for await (const chunk of stream) {
      for (const call of chunk.choices[0]?.delta.tool_calls ?? []) {
        const slot = (calls[call.index] ??= { id: '', type: 'function', function: { name: '', arguments: '' } });
        if (call.id) slot.id = call.id;
        slot.function.name += call.function?.name ?? '';
        slot.function.arguments += call.function?.arguments ?? '';
      }
    }
    assert.deepEqual(harness.upstream.last().json().contents, first.request.bodySegments[0].contents);

    serveInteraction(second);
    const followUp = await collectStream(
      await harness.client.chat.completions.create({
        model,
        stream: true,
        tools,
        messages: [question, { role: 'assistant', content: null, tool_calls: calls }, { role: 'user', content: recordedSecond.contents[2].parts[0].text }],
      }),
    );
    assert.deepEqual(harness.upstream.last().json().contents, recordedSecond.contents);
    assert.equal(followUp.finishReason, 'tool_calls');
  });

  test('response_format json_schema is the recorded responseJsonSchema and responseMimeType', async () => {
    const [interaction] = interactions('recording-generate-structured-output-response-json-schema-gemini-2-5-flash.js-genai.json');
    const recorded = interaction.request.bodySegments[0];
    serveInteraction(interaction);
    await harness.client.chat.completions.create({
      model: `gemini/${recordedModel(interaction)}`,
      messages: [{ role: 'user', content: recorded.contents[0].parts[0].text }],
      response_format: { type: 'json_schema', json_schema: { name: 'object', schema: recorded.generationConfig.responseJsonSchema } },
    });
    const sent = harness.upstream.last().json();
    assert.deepEqual(sent.contents, recorded.contents);
    assert.deepEqual(sent.generationConfig, recorded.generationConfig);
  });

  test('max_tokens and n are the recorded maxOutputTokens and candidateCount', async () => {
    for (const name of ['recording-stream-text-gemini-2-5-flash-params.js-genai.json', 'recording-generate-thought-part-gemini-2-0-flash-thinking.js-genai.json']) {
      const [interaction] = interactions(name);
      const recorded = interaction.request.bodySegments[0];
      serveInteraction(interaction);
      const stream = String(interaction.request.url).includes(':stream');
      const request = {
        model: `gemini/${recordedModel(interaction)}`,
        messages: [{ role: 'user' as const, content: recorded.contents[0].parts[0].text as string }],
        max_tokens: recorded.generationConfig.maxOutputTokens as number,
        n: recorded.generationConfig.candidateCount as number,
      };
      if (stream) await collectStream(await harness.client.chat.completions.create({ ...request, stream: true }));
      else await harness.client.chat.completions.create(request);
      const sent = harness.upstream.last().json();
      assert.deepEqual(sent.contents, recorded.contents, name);
      assert.equal(sent.generationConfig.maxOutputTokens, recorded.generationConfig.maxOutputTokens);
      assert.equal(sent.generationConfig.candidateCount, recorded.generationConfig.candidateCount);
    }
  });
});

const request = (overrides: Partial<ChatRequest>): ChatRequest => ({ model: 'gemini/gemini-2.5-flash', messages: [{ role: 'user', content: 'hi' }], ...overrides });

describe('converter', () => {
  test('system and developer messages become the systemInstruction; assistant turns are model turns', () => {
    const { body } = convertChatRequest(
      request({
        messages: [
          { role: 'system', content: 'Be brief.' },
          { role: 'developer', content: [{ type: 'text', text: 'Answer in French.' }] },
          { role: 'user', content: 'Hello' },
          { role: 'assistant', content: 'Bonjour' },
          { role: 'user', content: 'Again' },
        ],
      }),
      'gemini-2.5-flash',
    );
    assert.deepEqual(body.systemInstruction, { parts: [{ text: 'Be brief.' }, { text: 'Answer in French.' }] });
    assert.deepEqual(body.contents, [
      { role: 'user', parts: [{ text: 'Hello' }] },
      { role: 'model', parts: [{ text: 'Bonjour' }] },
      { role: 'user', parts: [{ text: 'Again' }] },
    ]);
  });

  test('images: a data: URL is inlineData, an http URL fileData with a guessed type', () => {
    const { body } = convertChatRequest(
      request({
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'Compare' },
              { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
              { type: 'image_url', image_url: { url: 'https://example.com/cat.webp?size=large' } },
              { type: 'image_url', image_url: { url: 'https://example.com/photo' } },
            ],
          },
        ],
      }),
      'gemini-2.5-flash',
    );
    assert.deepEqual(body.contents[0]?.parts, [
      { text: 'Compare' },
      { inlineData: { mimeType: 'image/png', data: 'iVBORw0KGgo=' } },
      { fileData: { mimeType: 'image/webp', fileUri: 'https://example.com/cat.webp?size=large' } },
      { fileData: { mimeType: 'image/jpeg', fileUri: 'https://example.com/photo' } },
    ]);
  });

  test('tool_choice maps to functionCallingConfig', () => {
    const tools: ChatRequest['tools'] = [{ type: 'function', function: { name: 'weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }];
    const config = (tool_choice: ChatRequest['tool_choice']) => convertChatRequest(request({ tools, tool_choice }), 'gemini-2.5-flash').body.toolConfig;
    assert.deepEqual(config('auto'), { functionCallingConfig: { mode: 'AUTO' } });
    assert.deepEqual(config('none'), { functionCallingConfig: { mode: 'NONE' } });
    assert.deepEqual(config('required'), { functionCallingConfig: { mode: 'ANY' } });
    assert.deepEqual(config({ type: 'function', function: { name: 'weather' } }), { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: ['weather'] } });
    assert.equal(config(undefined), undefined);
    // OpenAI's allowed_tools: the tools it allows, with its mode (a required one stayed AUTO before).
    const narrowed = convertChatRequest(request({ tools: [...tools, { type: 'function', function: { name: 'time' } }], tool_choice: { type: 'allowed_tools', allowed_tools: { mode: 'required', tools: [{ type: 'function', function: { name: 'time' } }] } } }), 'gemini-2.5-flash').body;
    assert.deepEqual(narrowed.tools, [{ functionDeclarations: [{ name: 'time' }] }]);
    assert.deepEqual(narrowed.toolConfig, { functionCallingConfig: { mode: 'ANY' } });
    const noParameters = convertChatRequest(request({ tools: [{ type: 'function', function: { name: 'now', parameters: {} } }] }), 'gemini-2.5-flash').body;
    assert.deepEqual(noParameters.tools, [{ functionDeclarations: [{ name: 'now' }] }]);
  });

  test('tool results are functionResponse parts of one user turn, named from the earlier call', () => {
    const { body } = convertChatRequest(
      request({
        messages: [
          { role: 'user', content: 'Weather in Paris and Rome?' },
          {
            role: 'assistant',
            content: null,
            tool_calls: [
              { id: 'a', type: 'function', function: { name: 'weather', arguments: '{"city":"Paris"}' } },
              { id: 'b', type: 'function', function: { name: 'forecast', arguments: '' } },
            ],
          },
          { role: 'tool', tool_call_id: 'b', content: 'sunny' },
          { role: 'tool', tool_call_id: 'a', content: '{"celsius":21}' },
        ],
      }),
      'gemini-2.5-flash',
    );
    assert.deepEqual(body.contents.slice(1), [
      { role: 'model', parts: [{ functionCall: { name: 'weather', args: { city: 'Paris' } } }, { functionCall: { name: 'forecast', args: {} } }] },
      { role: 'user', parts: [{ functionResponse: { name: 'forecast', response: { result: 'sunny' } } }, { functionResponse: { name: 'weather', response: { celsius: 21 } } }] },
    ]);
  });

  test('a tool result that answers no call is a 400', () => {
    assert.throws(
      () => convertChatRequest(request({ messages: [{ role: 'user', content: 'x' }, { role: 'tool', tool_call_id: 'nope', content: 'y' }] }), 'gemini-2.5-flash'),
      (error: unknown) => error instanceof GatewayError && error.status === 400 && error.param === 'messages[1].tool_call_id',
    );
  });

  test('sampling and output parameters go to generationConfig; unsupported ones become warnings', () => {
    const { body, warnings } = convertChatRequest(
      request({ max_completion_tokens: 50, temperature: 0, top_p: 0.9, stop: 'END', seed: 7, response_format: { type: 'json_object' }, logprobs: true }),
      'gemini-2.5-flash',
    );
    assert.deepEqual(body.generationConfig, { maxOutputTokens: 50, temperature: 0, topP: 0.9, stopSequences: ['END'], seed: 7, responseMimeType: 'application/json' });
    assert.equal(warnings.length, 1);
    assert.match(warnings[0] ?? '', /logprobs/);
  });

  test('reasoning_effort minimal on 2.5 Pro is its smallest budget (128): it cannot turn thinking off', () => {
    assert.deepEqual(convertChatRequest(request({ reasoning_effort: 'minimal' }), 'gemini-2.5-pro').body.generationConfig?.thinkingConfig, { includeThoughts: false, thinkingBudget: 128 });
    assert.deepEqual(convertChatRequest(request({ reasoning_effort: 'minimal' }), 'gemini-2.5-flash').body.generationConfig?.thinkingConfig, { includeThoughts: false, thinkingBudget: 0 });
  });

  test('reasoning_effort: a thinking budget on 2.5, a thinking level on 3, thoughts asked for', () => {
    assert.deepEqual(convertChatRequest(request({ reasoning_effort: 'low' }), 'gemini-2.5-flash').body.generationConfig?.thinkingConfig, { includeThoughts: true, thinkingBudget: 1024 });
    assert.deepEqual(convertChatRequest(request({ reasoning_effort: 'high' }), 'gemini-3-pro-preview').body.generationConfig?.thinkingConfig, { includeThoughts: true, thinkingLevel: 'high' });
  });

  test('a Gemini 3 call the gateway has no signature for is marked to skip validation; older models get none', () => {
    const messages: ChatRequest['messages'] = [
      { role: 'user', content: 'x' },
      { role: 'assistant', tool_calls: [{ id: 'from-another-model', type: 'function', function: { name: 'f', arguments: '{}' } }, { id: 'second', type: 'function', function: { name: 'g', arguments: '{}' } }] },
      { role: 'tool', tool_call_id: 'from-another-model', content: '1' },
      { role: 'tool', tool_call_id: 'second', content: '2' },
    ];
    const gemini3 = convertChatRequest(request({ messages }), 'gemini-3-pro-preview').body.contents[1]?.parts;
    assert.deepEqual(gemini3?.map((part) => part.thoughtSignature), ['skip_thought_signature_validator', undefined]);
    const gemini25 = convertChatRequest(request({ messages }), 'gemini-2.5-pro').body.contents[1]?.parts;
    assert.deepEqual(gemini25?.map((part) => part.thoughtSignature), [undefined, undefined]);
  });
});

test('a GEMINI_BASE_URL given with its /v1beta path still reaches /v1beta/models/...', async () => {
  const versioned = await startConformanceHarness('gemini', { basePath: '/v1beta' });
  try {
    const [interaction] = interactions('recording-generate-structured-output-response-json-schema-gemini-2-5-flash.js-genai.json');
    versioned.serve(`POST ${interaction.request.url}`, { status: 200, headers: { 'content-type': 'application/json' }, chunks: [JSON.stringify(interaction.response.bodySegments[0])] });
    const answer = await versioned.client.chat.completions.create({ model: `gemini/${recordedModel(interaction)}`, messages: [{ role: 'user', content: 'x' }] });
    assert.equal(answer.choices[0]?.message.content, interaction.response.bodySegments[0].candidates[0].content.parts[0].text);
    assert.equal(versioned.upstream.last().url, interaction.request.url);
  } finally {
    await versioned.close();
  }
});
