import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { convertRequest, FALLBACK_MAX_TOKENS } from '../../proxy/dialects/anthropic-messages/encode-request.js';
import { rememberThinking } from '../../proxy/dialects/anthropic-messages/thinking-memory.js';
import { AnthropicStreamDecoder } from '../../proxy/dialects/anthropic-messages/decode-stream.js';
import { decodeMessage } from '../../proxy/dialects/anthropic-messages/decode-response.js';
import type { ChatMessage, ChatPart, ChatRequest } from '../../proxy/adapters/types.js';
import { findBundledModel } from '../../proxy/catalog/bundled-table.js';
import { GatewayError } from '../../proxy/errors.js';
import { sendJson } from '../support/fake-upstream.js';
import { fixtureEvents, fixtureJson } from '../support/fixtures.js';
import { TEST_KEY } from '../support/gateway.js';
import { recordedEvents } from './anthropic-expected.js';
import { collectStream, recordingFromFile, startConformanceHarness, type ConformanceHarness } from './support.js';

/** What Anthropic receives for an OpenAI request (the converter), and the decoders' details that
 * the replays do not show (signatures). */

const convert = (request: Partial<ChatRequest>, model = 'claude-sonnet-4-5') =>
  convertRequest({ model: `anthropic/${model}`, messages: [{ role: 'user', content: 'hi' }], ...request }, model, false);

describe('messages', () => {
  test('system and developer messages become the top-level system, in order', () => {
    const { body } = convert({
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'developer', content: [{ type: 'text', text: 'Use French.' }] },
        { role: 'user', content: 'hi' },
      ],
    });
    assert.deepEqual(body.system, [
      { type: 'text', text: 'Be brief.' },
      { type: 'text', text: 'Use French.' },
    ]);
    assert.deepEqual(body.messages, [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }]);
  });

  test('cache_control markers on text parts reach Anthropic (prompt caching from an OpenAI client)', () => {
    const marker = { type: 'ephemeral' };
    const { body } = convert({
      messages: [
        { role: 'system', content: [{ type: 'text', text: 'A long, stable preamble.', cache_control: marker }] },
        { role: 'user', content: [{ type: 'text', text: 'a long document', cache_control: marker }, { type: 'text', text: 'question' }] },
      ],
    });
    assert.deepEqual(body.system, [{ type: 'text', text: 'A long, stable preamble.', cache_control: marker }]);
    assert.deepEqual(body.messages[0]?.content, [
      { type: 'text', text: 'a long document', cache_control: marker },
      { type: 'text', text: 'question' },
    ]);
  });

  test('image parts: data: URLs become base64 sources, http(s) URLs url sources', () => {
    const { body } = convert({
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'what is this?' },
            { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
            { type: 'image_url', image_url: { url: 'https://example.com/cat.jpg', detail: 'high' } },
          ],
        },
      ],
    });
    assert.deepEqual(body.messages[0]?.content, [
      { type: 'text', text: 'what is this?' },
      { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } },
      { type: 'image', source: { type: 'url', url: 'https://example.com/cat.jpg' } },
    ]);
  });

  test('a PDF file part becomes a document block; audio is left out with a warning', () => {
    const { body, warnings } = convert({
      messages: [
        {
          role: 'user',
          content: [
            { type: 'file', file: { filename: 'a.pdf', file_data: 'data:application/pdf;base64,JVBERi0=' } },
            { type: 'input_audio', input_audio: { data: 'AAAA', format: 'wav' } },
          ],
        },
      ],
    });
    assert.deepEqual(body.messages[0]?.content, [{ type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: 'JVBERi0=' } }]);
    assert.equal(warnings.length, 1);
  });

  test('an image that is neither is the client\'s error (400), not a crash', () => {
    assert.throws(
      () => convert({ messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'file:///etc/passwd' } }] }] }),
      (error: unknown) => error instanceof GatewayError && error.status === 400 && error.param === 'messages[0].content[0]',
    );
  });

  test('assistant tool calls become tool_use blocks; consecutive tool results one user turn', () => {
    const messages: ChatMessage[] = [
      { role: 'user', content: 'weather in Paris and Berlin?' },
      {
        role: 'assistant',
        content: 'Checking both.',
        tool_calls: [
          { id: 'toolu_1', type: 'function', function: { name: 'weather', arguments: '{"city":"Paris"}' } },
          { id: 'toolu_2', type: 'function', function: { name: 'weather', arguments: '{"city":"Berlin"}' } },
        ],
      },
      { role: 'tool', tool_call_id: 'toolu_1', content: '21C' },
      { role: 'tool', tool_call_id: 'toolu_2', content: [{ type: 'text', text: '18C' }] },
      { role: 'user', content: 'thanks' },
    ];
    const { body } = convert({ messages });
    assert.deepEqual(body.messages, [
      { role: 'user', content: [{ type: 'text', text: 'weather in Paris and Berlin?' }] },
      {
        role: 'assistant',
        content: [
          { type: 'text', text: 'Checking both.' },
          { type: 'tool_use', id: 'toolu_1', name: 'weather', input: { city: 'Paris' } },
          { type: 'tool_use', id: 'toolu_2', name: 'weather', input: { city: 'Berlin' } },
        ],
      },
      {
        role: 'user',
        content: [
          { type: 'tool_result', tool_use_id: 'toolu_1', content: '21C' },
          { type: 'tool_result', tool_use_id: 'toolu_2', content: [{ type: 'text', text: '18C' }] },
        ],
      },
      { role: 'user', content: [{ type: 'text', text: 'thanks' }] },
    ]);
  });

  test('tool call arguments that are not a JSON object are a 400', () => {
    const messages: ChatMessage[] = [
      { role: 'user', content: 'x' },
      { role: 'assistant', content: null, tool_calls: [{ id: 't', type: 'function', function: { name: 'f', arguments: '[1,2' } }] },
    ];
    assert.throws(() => convert({ messages }), (error: unknown) => error instanceof GatewayError && error.status === 400);
  });

  test('a thinking block goes back only with its signature (multi-turn with thinking)', () => {
    const recorded = fixtureJson('anthropic/message-thinking-then-text.vercel.json').content[0];
    const withSignature = convert({
      messages: [
        { role: 'user', content: '925 / 5?' },
        { role: 'assistant', content: '185', reasoning_content: recorded.thinking, reasoning_signature: recorded.signature },
        { role: 'user', content: 'and / 5 again?' },
      ],
    });
    assert.deepEqual(withSignature.body.messages[1]?.content, [
      { type: 'thinking', thinking: recorded.thinking, signature: recorded.signature },
      { type: 'text', text: '185' },
    ]);
    const without = convert({ messages: [{ role: 'user', content: 'q' }, { role: 'assistant', content: '185', reasoning_content: 'thought' }] });
    assert.deepEqual(without.body.messages[1]?.content, [{ type: 'text', text: '185' }]);
  });

  test('a signed thinking block sent back without the redacted_thinking beside it: the remembered blocks go, all of them', () => {
    // Anthropic refuses a turn whose redacted_thinking blocks were filtered out; a client's format
    // (chat's reasoning_signature, the Responses sealed reasoning) carries signed thinking only.
    rememberThinking([
      { type: 'thinking', thinking: 'plan', signature: 'SIG-1' },
      { type: 'redacted_thinking', data: 'ENCRYPTED' },
      { type: 'tool_use', id: 'toolu_redacted_1', name: 'weather', input: {} },
    ]);
    const turn = (signature: string) =>
      convert({
        messages: [
          { role: 'user', content: 'weather?' },
          { role: 'assistant', content: null, reasoning_content: 'plan', reasoning_signature: signature, tool_calls: [{ id: 'toolu_redacted_1', type: 'function', function: { name: 'weather', arguments: '{}' } }] },
          { role: 'tool', tool_call_id: 'toolu_redacted_1', content: 'sunny' },
        ],
      }).body.messages[1]?.content as { type: string }[];
    assert.deepEqual(turn('SIG-1').map((block) => block.type), ['thinking', 'redacted_thinking', 'tool_use']);
    // A block the gateway did not see (another signature) is the client's: sent as it came.
    assert.deepEqual(turn('SIG-OTHER').map((block) => block.type), ['thinking', 'tool_use']);
  });
});

describe('tools', () => {
  const tools: ChatRequest['tools'] = [{ type: 'function', function: { name: 'weather', description: 'Weather now', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }];

  test('function tools become Anthropic tools with input_schema', () => {
    assert.deepEqual(convert({ tools }).body.tools, [{ name: 'weather', description: 'Weather now', input_schema: { type: 'object', properties: { city: { type: 'string' } } } }]);
  });

  test('tool_choice auto/none/required/named becomes auto/none/any/tool', () => {
    assert.deepEqual(convert({ tools, tool_choice: 'auto' }).body.tool_choice, { type: 'auto' });
    assert.deepEqual(convert({ tools, tool_choice: 'none' }).body.tool_choice, { type: 'none' });
    assert.deepEqual(convert({ tools, tool_choice: 'required' }).body.tool_choice, { type: 'any' });
    assert.deepEqual(convert({ tools, tool_choice: { type: 'function', function: { name: 'weather' } } }).body.tool_choice, { type: 'tool', name: 'weather' });
    assert.equal(convert({ tools }).body.tool_choice, undefined);
  });

  test("OpenAI's allowed_tools narrows the tools with its mode as the choice; custom tools are left out with a warning (once a 500)", () => {
    const other = { type: 'function' as const, function: { name: 'time', parameters: { type: 'object', properties: {} } } };
    const custom = { type: 'custom', custom: { name: 'apply_patch' } } as unknown as NonNullable<ChatRequest['tools']>[number];
    const required = convert({ tools: [...tools, other, custom], tool_choice: { type: 'allowed_tools', allowed_tools: { mode: 'required', tools: [{ type: 'function', function: { name: 'weather' } }] } } });
    assert.deepEqual(required.body.tools?.map((tool) => tool.name), ['weather']);
    assert.deepEqual(required.body.tool_choice, { type: 'any' });
    assert.ok(required.warnings.some((warning) => warning.includes('"custom"')), required.warnings.join(' | '));
    const auto = convert({ tools: [...tools, other], tool_choice: { type: 'allowed_tools', allowed_tools: { mode: 'auto', tools: [{ type: 'function', function: { name: 'time' } }] } } });
    assert.deepEqual(auto.body.tools?.map((tool) => tool.name), ['time']);
    assert.deepEqual(auto.body.tool_choice, { type: 'auto' });
    const unknown = convert({ tools, tool_choice: { type: 'custom', custom: { name: 'x' } } as unknown as ChatRequest['tool_choice'] });
    assert.deepEqual(unknown.body.tool_choice, { type: 'auto' });
    assert.ok(unknown.warnings.some((warning) => warning.includes('tool_choice')));
  });

  test('parallel_tool_calls false becomes disable_parallel_tool_use', () => {
    assert.deepEqual(convert({ tools, parallel_tool_calls: false }).body.tool_choice, { type: 'auto', disable_parallel_tool_use: true });
    assert.deepEqual(convert({ tools, tool_choice: 'required', parallel_tool_calls: false }).body.tool_choice, { type: 'any', disable_parallel_tool_use: true });
  });
});

describe('max_tokens, thinking and other parameters', () => {
  test('max_tokens: the client\'s, else the catalog\'s maximum output, else the fallback', () => {
    assert.equal(convert({ max_tokens: 300 }).body.max_tokens, 300);
    assert.equal(convert({ max_tokens: 300, max_completion_tokens: 500 }).body.max_tokens, 500);
    const catalogMax = findBundledModel('claude-sonnet-4-5-20250929')?.maxOutputTokens;
    assert.ok(catalogMax);
    assert.equal(convert({}, 'claude-sonnet-4-5-20250929').body.max_tokens, catalogMax);
    assert.equal(convert({}, 'claude-unknown-model').body.max_tokens, FALLBACK_MAX_TOKENS);
  });

  test('reasoning_effort asks for thinking with a budget that grows with the effort', () => {
    const low = convert({ reasoning_effort: 'low' }).body.thinking;
    const high = convert({ reasoning_effort: 'high' }).body.thinking;
    assert.equal(low?.type, 'enabled');
    assert.ok((low?.budget_tokens ?? 0) >= 1024);
    assert.ok((high?.budget_tokens ?? 0) > (low?.budget_tokens ?? 0));
    assert.equal(convert({}).body.thinking, undefined);
  });

  test('with thinking, a small max_tokens still leaves room for the answer, and temperature is dropped with a warning', () => {
    const { body, warnings } = convert({ reasoning_effort: 'medium', max_tokens: 200, temperature: 0.2 });
    assert.equal(body.max_tokens, (body.thinking?.budget_tokens ?? 0) + 200);
    assert.equal(body.temperature, undefined);
    assert.ok(warnings.some((warning) => warning.includes('temperature')));
  });

  test('a forced tool choice wins over reasoning_effort (Anthropic refuses both), with a warning', () => {
    const tools: ChatRequest['tools'] = [{ type: 'function', function: { name: 'f' } }];
    const { body, warnings } = convert({ reasoning_effort: 'high', tools, tool_choice: 'required' });
    assert.equal(body.thinking, undefined);
    assert.deepEqual(body.tool_choice, { type: 'any' });
    assert.ok(warnings.some((warning) => warning.includes('tool_choice')));
  });

  test('a tool loop whose thinking block was not sent back continues without thinking (Anthropic would refuse it)', () => {
    const toolTurn: ChatMessage[] = [
      { role: 'user', content: 'weather?' },
      { role: 'assistant', content: null, tool_calls: [{ id: 'toolu_1', type: 'function', function: { name: 'weather', arguments: '{}' } }] },
      { role: 'tool', tool_call_id: 'toolu_1', content: 'sunny' },
    ];
    const without = convert({ reasoning_effort: 'low', messages: toolTurn });
    assert.equal(without.body.thinking, undefined);
    assert.ok(without.warnings.some((warning) => warning.includes('thinking block')));
    const withSignature = convert({ reasoning_effort: 'low', messages: toolTurn.map((message) => (message.role === 'assistant' ? { ...message, reasoning_content: 'look it up', reasoning_signature: 'sig' } : message)) });
    assert.equal(withSignature.body.thinking?.type, 'enabled');
  });

  test('stop, user and temperature are carried over (temperature within Anthropic\'s 0..1)', () => {
    const { body } = convert({ stop: 'END', user: 'user-42', temperature: 0.3, top_p: 0.9 });
    assert.deepEqual(body.stop_sequences, ['END']);
    assert.deepEqual(body.metadata, { user_id: 'user-42' });
    assert.equal(body.temperature, 0.3);
    assert.equal(body.top_p, 0.9);
    assert.equal(convert({ temperature: 1.7 }).body.temperature, 1);
  });

  test('response_format json_schema becomes output_config.format; json_object a warning', () => {
    const schema = { type: 'object', properties: { answer: { type: 'number' } }, required: ['answer'], additionalProperties: false };
    const structured = convert({ response_format: { type: 'json_schema', json_schema: { name: 'answer', schema, strict: true } } });
    assert.deepEqual(structured.body.output_config, { format: { type: 'json_schema', schema } });
    assert.deepEqual(structured.warnings, []);
    const loose = convert({ response_format: { type: 'json_object' } });
    assert.equal(loose.body.output_config, undefined);
    assert.equal(loose.warnings.length, 1);
  });

  test('unsupported OpenAI parameters become warnings, not errors', () => {
    const { warnings, body } = convert({ n: 2, seed: 7, logprobs: true, frequency_penalty: 0.5 });
    assert.equal(warnings.length, 4);
    assert.equal('seed' in body, false);
  });
});

describe('decoders', () => {
  const decodeAll = (path: string): ChatPart[] => {
    const decoder = new AnthropicStreamDecoder('anthropic');
    return [...recordedEvents(path).flatMap((event) => decoder.decode(event)), ...decoder.end()];
  };

  test('a streamed thinking block keeps its signature', () => {
    const path = 'anthropic/stream-thinking-signature-delta-then-text.vercel.jsonl';
    const signature = recordedEvents(path).find((event) => event.delta?.type === 'signature_delta').delta.signature;
    assert.ok(decodeAll(path).some((part) => part.type === 'reasoning-delta' && part.signature === signature));
  });

  test('a whole thinking block keeps its signature', () => {
    const message = fixtureJson('anthropic/message-thinking-then-text.vercel.json');
    assert.ok(decodeMessage(message).some((part) => part.type === 'reasoning-delta' && part.signature === message.content[0].signature));
  });

  test('every stop reason has its finish reason (refusal: content_filter), whole and streamed', () => {
    const expected: Record<string, string> = { end_turn: 'stop', stop_sequence: 'stop', pause_turn: 'stop', max_tokens: 'length', tool_use: 'tool_calls', refusal: 'content_filter' };
    for (const [stopReason, finishReason] of Object.entries(expected)) {
      const whole = decodeMessage({ content: [], stop_reason: stopReason }).find((part) => part.type === 'finish');
      assert.equal(whole?.type === 'finish' ? whole.reason : undefined, finishReason, stopReason);
      const decoder = new AnthropicStreamDecoder('anthropic');
      const streamed = [
        { type: 'message_start', message: { content: [], usage: { input_tokens: 5, output_tokens: 1 } } },
        { type: 'message_delta', delta: { stop_reason: stopReason }, usage: { output_tokens: 9 } },
        { type: 'message_stop' },
      ].flatMap((event) => decoder.decode(event as never));
      assert.deepEqual(
        streamed.filter((part) => part.type === 'finish' || part.type === 'usage'),
        [
          { type: 'finish', choice: 0, reason: finishReason },
          { type: 'usage', usage: { promptTokens: 5, completionTokens: 9 } },
        ],
      );
    }
  });

  test('message_delta input_tokens win over message_start\'s', () => {
    const path = 'anthropic/stream-message-delta-input-tokens-anthropic-compatible-host.vercel.jsonl';
    const finalInput = recordedEvents(path).find((event) => event.type === 'message_delta').usage.input_tokens;
    const usage = decodeAll(path).find((part) => part.type === 'usage');
    assert.equal(usage?.type === 'usage' ? usage.usage.promptTokens : undefined, finalInput);
  });
});

describe('through the gateway', () => {
  let harness: ConformanceHarness;

  before(async () => {
    harness = await startConformanceHarness('anthropic');
  });

  after(async () => {
    await harness.close();
  });

  test('the upstream receives the converted request with the key in x-api-key, never the client\'s token', async () => {
    harness.serve('POST /v1/messages', recordingFromFile('anthropic/message-text-sonnet-4-5.vercel.json'));
    await harness.client.chat.completions.create({
      model: 'anthropic/claude-sonnet-4-5',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'hi' },
      ],
      reasoning_effort: 'low',
      n: 1,
      seed: 3,
    });
    const seen = harness.upstream.last();
    assert.equal(seen.url, '/v1/messages');
    assert.equal(seen.headers['x-api-key'], TEST_KEY);
    assert.equal(seen.headers.authorization, undefined);
    const body = seen.json();
    assert.equal(body.model, 'claude-sonnet-4-5');
    assert.deepEqual(body.system, [{ type: 'text', text: 'Be brief.' }]);
    assert.equal(body.thinking.type, 'enabled');
    assert.equal(body.seed, undefined);
  });

  test('a base URL given with a trailing /v1 still reaches /v1/messages', async () => {
    const withV1 = await startConformanceHarness('anthropic', { basePath: '/v1' });
    try {
      withV1.serve('POST /v1/messages', recordingFromFile('anthropic/message-text-sonnet-4-5.vercel.json'));
      const completion = await withV1.client.chat.completions.create({ model: 'anthropic/claude-sonnet-4-5', messages: [{ role: 'user', content: 'hi' }] });
      assert.ok(completion.choices[0]?.message.content);
      assert.equal(withV1.upstream.last().url, '/v1/messages');
    } finally {
      await withV1.close();
    }
  });

  test('a tool loop with thinking: the thinking block and signature the client could not keep go back to Anthropic', async () => {
    // One answer made of recorded events: the thinking block of one recording, the tool call
    // (block 1, stop_reason tool_use) of another. No single recording has both.
    const thinkingPath = 'anthropic/stream-thinking-signature-delta-then-text.vercel.jsonl';
    const toolPath = 'anthropic/stream-text-then-tool-use-no-args.vercel.jsonl';
    const thinkingEvents = fixtureEvents(thinkingPath).filter((event) => /"index":0|message_start/.test(event));
    const toolEvents = fixtureEvents(toolPath).filter((event) => /"index":1|message_delta|message_stop/.test(event));
    harness.serve('POST /v1/messages', { status: 200, headers: { 'content-type': 'text/event-stream' }, chunks: [...thinkingEvents, ...toolEvents] });
    const messages: ChatMessage[] = [{ role: 'user', content: 'update the issue list' }];
    const first = await collectStream(await harness.client.chat.completions.create({ model: 'anthropic/claude-sonnet-4-5', stream: true, reasoning_effort: 'low', messages: messages as never }));
    assert.equal(first.finishReason, 'tool_calls');
    const toolUse = recordedEvents(toolPath).find((event) => event.content_block?.type === 'tool_use').content_block;

    // What an OpenAI client sends next: its tool call and the result, no signature anywhere.
    messages.push({ role: 'assistant', content: null, reasoning_content: first.reasoning, tool_calls: [{ id: toolUse.id, type: 'function', function: { name: first.toolCalls[0]!.name, arguments: first.toolCalls[0]!.arguments } }] });
    messages.push({ role: 'tool', tool_call_id: toolUse.id, content: 'done' });
    harness.serve('POST /v1/messages', recordingFromFile('anthropic/message-text-sonnet-4-5.vercel.json'));
    await harness.client.chat.completions.create({ model: 'anthropic/claude-sonnet-4-5', reasoning_effort: 'low', messages: messages as never });

    const sent = harness.upstream.last().json();
    const signature = recordedEvents(thinkingPath).find((event) => event.delta?.type === 'signature_delta').delta.signature;
    assert.deepEqual(sent.messages[1].content[0], { type: 'thinking', thinking: first.reasoning, signature });
    assert.equal(sent.messages[1].content[1].type, 'tool_use');
    assert.equal(sent.thinking.type, 'enabled');
  });

  test('Anthropic\'s model list (paginated) reaches /v1/models as anthropic/<id>', async () => {
    harness.upstream.on('GET /v1/models', (request, response) => {
      const second = request.url.includes('after_id=claude-sonnet-4-5-20250929');
      sendJson(response, 200, {
        data: second
          ? [{ type: 'model', id: 'claude-haiku-4-5-20251001', display_name: 'Claude Haiku 4.5', created_at: '2025-10-01T00:00:00Z' }]
          : [
              { type: 'model', id: 'claude-sonnet-4-5-20250929', display_name: 'Claude Sonnet 4.5', created_at: '2025-09-29T00:00:00Z', max_input_tokens: 1_000_000, max_tokens: 64_000, capabilities: { image_input: { supported: true } } },
              { type: 'model', id: 'claude-2.1', display_name: 'Claude 2.1', created_at: '2023-11-21T00:00:00Z', lifecycle: 'retired' },
            ],
        has_more: !second,
        first_id: null,
        last_id: second ? 'claude-haiku-4-5-20251001' : 'claude-sonnet-4-5-20250929',
      });
    });
    const ids: string[] = [];
    for await (const model of harness.client.models.list()) ids.push(model.id);
    assert.ok(ids.includes('anthropic/claude-sonnet-4-5-20250929'), ids.join(', '));
    assert.ok(ids.includes('anthropic/claude-haiku-4-5-20251001'), ids.join(', '));
    assert.ok(!ids.includes('anthropic/claude-2.1'), 'a retired model is not offered');
    const sonnet = harness.gateway.context.catalog.find('anthropic/claude-sonnet-4-5-20250929');
    assert.equal(sonnet?.contextWindow, 1_000_000);
    assert.deepEqual(sonnet?.modalities, ['text', 'vision']);
    const listed = harness.upstream.requests.find((request) => request.method === 'GET');
    assert.equal(listed?.headers['anthropic-version'], '2023-06-01');
  });
});
