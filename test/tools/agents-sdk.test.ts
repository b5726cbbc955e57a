import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { RunningGateway } from '../../proxy/server/gateway-server.js';
import { FakeUpstream, sendEvents, sendJson, type SeenRequest } from '../support/fake-upstream.js';
import { fixtureJson, responsesTurns } from '../support/fixtures.js';
import { startTestGateway, TEST_KEY, TEST_TOKEN } from '../support/gateway.js';
import { startRecordingForwarder, startRefusingProxy, type ClientRequest, type RecordingForwarder, type RefusingProxy } from '../support/recording-forwarder.js';
import { runTool } from '../support/run-tool.js';

/** The OpenAI Agents SDK (`@openai/agents` 0.20.0, its own project in test/clients/agents-sdk: it
 * needs zod 4 and Node 22) runs an agent with one function tool through the gateway's
 * `/v1/responses`, with the SDK's defaults (OpenAIResponsesModel over HTTP): relayed to a Responses
 * upstream (`openai/*`) and translated to a chat upstream (the default provider), both played by
 * a fake on 127.0.0.1 serving recordings. The SDK reaches the gateway through a recording forwarder
 * (what the SDK itself sent) and has a refusing proxy for anything else (tracing is off). */

const CLIENT_DIR = join(import.meta.dirname, '..', 'clients', 'agents-sdk');
const CLIENT_NODE = join(CLIENT_DIR, 'node_modules', 'node', 'bin', 'node');
const PINNED = { '@openai/agents': '0.20.0', zod: '4.6.7' };
/** The install .ci/run does (`npm ci` from the committed lock), as a script for local runs. */
const INSTALL = 'npm run install:test-clients';
const RUN_TIMEOUT_MS = 60_000;

/** The sub-project must be installed, at its pinned versions: a missing one fails here, loudly. */
const checkInstalled = (): void => {
  for (const [name, version] of Object.entries(PINNED)) {
    const manifest = join(CLIENT_DIR, 'node_modules', name, 'package.json');
    if (!existsSync(manifest)) throw new Error(`${name} is not installed in test/clients/agents-sdk: run \`${INSTALL}\``);
    const installed = (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version;
    if (installed !== version) throw new Error(`test/clients/agents-sdk has ${name} ${installed}, not ${version}: run \`${INSTALL}\``);
  }
  if (!existsSync(CLIENT_NODE)) throw new Error(`test/clients/agents-sdk has no Node 22 (the \`node\` package): run \`${INSTALL}\``);
};

const FUNCTION_CALL = 'openai-responses/stream-function-call-arguments-deltas-gpt-5-1.vercel.jsonl';
const TEXT = 'openai-responses/stream-text-usage-gpt-4o-mini.vercel.jsonl';
const CHAT_TOOL_CALL = 'openai/chat-completion-tool-call.openapi-example.json';
const CHAT_TEXT = 'openai/chat-completion-text-gpt-4-1-nano.vercel.json';

let upstream: FakeUpstream;
let gateway: RunningGateway;
let forwarder: RecordingForwarder;
let outside: RefusingProxy;

const recordedEvents = (path: string): any[] => responsesTurns(path)[0]!.map((event) => JSON.parse(event.split('data: ')[1]!));
/** The response object a whole (non-streamed) answer carries: the recording's final one. */
const recordedResponse = (path: string): any => recordedEvents(path).at(-1)!.response;
const recordedCall = recordedResponse(FUNCTION_CALL).output[0];

/** Whether the model is being sent the tool's result (the second model call of the run). */
const carriesToolResult = (request: SeenRequest): boolean => JSON.stringify(request.json().input ?? request.json().messages).includes('Sunny and 21 degrees');

before(async () => {
  checkInstalled();
  upstream = await new FakeUpstream()
    .on('POST /v1/responses', (request, response) => {
      const path = carriesToolResult(request) ? TEXT : FUNCTION_CALL;
      if (request.json().stream === true) return sendEvents(response, responsesTurns(path)[0]!);
      return sendJson(response, 200, recordedResponse(path));
    })
    .on('POST /v1/chat/completions', (request, response) => sendJson(response, 200, fixtureJson(carriesToolResult(request) ? CHAT_TEXT : CHAT_TOOL_CALL)))
    .start();
  gateway = await startTestGateway({ providers: { openai: { baseUrl: upstream.url(), apiKey: TEST_KEY }, modapi: { baseUrl: upstream.url(), apiKey: TEST_KEY } } });
  forwarder = await startRecordingForwarder(gateway.port);
  outside = await startRefusingProxy();
});

after(async () => {
  await forwarder?.close();
  await outside?.close();
  await gateway?.close();
  await upstream?.close();
});

interface AgentOutput {
  finalOutput: string;
  streamedText: string | null;
  calls: Record<string, string>[];
  items: string[];
  responses: { id: string; inputTokens: number; outputTokens: number }[];
}

interface AgentRun {
  output: AgentOutput;
  sent: ClientRequest[];
  reachedUpstream: SeenRequest[];
}

/** run-agent.mjs with exactly this environment: nothing inherited, tracing off by variable as
 * well, any connection but loopback sent to the refusing proxy (Node 22 follows the proxy
 * variables with NODE_USE_ENV_PROXY). */
const runAgent = async (model: string, toolName: string, argument: string, stream: boolean): Promise<AgentRun> => {
  const sentBefore = forwarder.requests.length;
  const seenBefore = upstream.requests.length;
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: CLIENT_DIR,
    OPENAI_BASE_URL: forwarder.url('/v1'),
    OPENAI_AGENTS_DISABLE_TRACING: '1',
    NODE_USE_ENV_PROXY: '1',
    HTTP_PROXY: outside.url,
    HTTPS_PROXY: outside.url,
    NO_PROXY: '127.0.0.1,localhost',
    MODAPI_TOKEN: TEST_TOKEN,
    // As users set it: with a key here the SDK would export traces to OpenAI unless tracing is off.
    OPENAI_API_KEY: TEST_TOKEN,
    AGENT_MODEL: model,
    AGENT_TOOL: toolName,
    AGENT_ARGUMENT: argument,
    AGENT_STREAM: stream ? '1' : '0',
  };
  const run = await runTool(CLIENT_NODE, ['run-agent.mjs'], { env, cwd: CLIENT_DIR, timeoutMs: RUN_TIMEOUT_MS });
  assert.equal(run.code, 0, `the agent run failed (timed out: ${run.timedOut}):\n${run.stderr.slice(-3000)}`);
  return { output: JSON.parse(run.stdout.trim().split('\n').at(-1)!) as AgentOutput, sent: forwarder.requests.slice(sentBefore), reachedUpstream: upstream.requests.slice(seenBefore) };
};

/** What every run's two model calls share: both `POST /v1/responses` with the local token, the
 * SDK's function tool, and the second carrying the call and its result back. */
const assertRoundTrip = (sent: ClientRequest[], model: string, toolName: string, callId: string, stream: boolean): void => {
  assert.deepEqual(
    sent.map((request) => `${request.method} ${request.url}`),
    ['POST /v1/responses', 'POST /v1/responses'],
  );
  for (const request of sent) {
    assert.equal(request.headers.authorization, `Bearer ${TEST_TOKEN}`);
    const body = request.json();
    assert.equal(body.model, model);
    assert.equal(body.stream === true, stream);
    assert.deepEqual(
      body.tools.map((tool: { type: string; name: string }) => [tool.type, tool.name]),
      [['function', toolName]],
    );
    assert.equal(body.instructions, 'Answer questions about the weather with the weather tool.');
  }
  const second = sent[1]!.json().input as { type?: string; call_id?: string; name?: string; output?: unknown }[];
  const call = second.find((item) => item.type === 'function_call');
  const result = second.find((item) => item.type === 'function_call_output');
  assert.deepEqual([call?.call_id, call?.name], [callId, toolName]);
  assert.equal(result?.call_id, callId);
  assert.match(JSON.stringify(result?.output), /Sunny and 21 degrees/);
};

for (const stream of [false, true]) {
  test(`relayed (openai/*), ${stream ? 'streamed' : 'whole'}: the tool round trip reaches the Responses upstream as the SDK sent it`, async () => {
    const { output, sent, reachedUpstream } = await runAgent('openai/gpt-5.1', 'get_weather', 'city', stream);
    assertRoundTrip(sent, 'openai/gpt-5.1', 'get_weather', recordedCall.call_id, stream);
    assert.deepEqual(output.calls, [JSON.parse(recordedCall.arguments)]);
    assert.equal(output.finalOutput, recordedResponse(TEXT).output[0].content[0].text);
    if (stream) assert.equal(output.streamedText, output.finalOutput);
    assert.deepEqual(output.items, ['tool_call_item', 'tool_call_output_item', 'message_output_item']);
    // The SDK read the upstream's usage and response ids through the relay.
    assert.deepEqual(
      output.responses,
      [recordedResponse(FUNCTION_CALL), recordedResponse(TEXT)].map((response) => ({ id: response.id, inputTokens: response.usage.input_tokens, outputTokens: response.usage.output_tokens })),
    );
    // Upstream: the SDK's bodies with the upstream's model id, the provider's key.
    assert.equal(reachedUpstream.length, 2);
    for (const [index, request] of reachedUpstream.entries()) {
      assert.equal(request.url, '/v1/responses');
      assert.equal(request.headers.authorization, `Bearer ${TEST_KEY}`);
      assert.deepEqual(request.json(), { ...sent[index]!.json(), model: 'gpt-5.1' });
    }
    assert.deepEqual(outside.attempts, []);
  });
}

test('translated (the default provider speaks chat): the tool round trip as chat messages upstream, the answer back in Responses', async () => {
  const { output, sent, reachedUpstream } = await runAgent('gpt-4o', 'get_current_weather', 'location', false);
  const recordedCallId = fixtureJson(CHAT_TOOL_CALL).choices[0].message.tool_calls[0].id;
  assertRoundTrip(sent, 'gpt-4o', 'get_current_weather', recordedCallId, false);
  assert.deepEqual(output.calls, [JSON.parse(fixtureJson(CHAT_TOOL_CALL).choices[0].message.tool_calls[0].function.arguments)]);
  assert.equal(output.finalOutput, fixtureJson(CHAT_TEXT).choices[0].message.content);
  assert.deepEqual(
    reachedUpstream.map((request) => request.url),
    ['/v1/chat/completions', '/v1/chat/completions'],
  );
  const toolMessage = reachedUpstream[1]!.json().messages.find((message: { role: string }) => message.role === 'tool');
  assert.equal(toolMessage.tool_call_id, recordedCallId);
  assert.deepEqual(outside.attempts, []);
});
