import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { RunningGateway } from '../../proxy/server/gateway-server.js';
import { FakeUpstream, sendEvents, type FakeHandler, type SeenRequest } from '../support/fake-upstream.js';
import { fixtureEvents } from '../support/fixtures.js';
import { startTestGateway, TEST_KEY, TEST_TOKEN } from '../support/gateway.js';
import { runQwenCode, writeQwenSettings, type QwenCodeRun } from './qwen-code-process.js';

const TEXT_STREAM = 'openai/chat-stream-text-include-usage-gpt-4o.openai-python.sse';
const RUN_TIMEOUT_MS = 90_000;
const NOTE = 'the secret word is pelican';
const TOOL_PROMPT = 'What does note.txt say?';

interface SeenCall {
  method: string;
  url: string;
  status: number;
  contentType: string;
}

let upstream: FakeUpstream;
let gateway: RunningGateway;
/** The current run's directory, where note.txt lies. */
let workspace: string;
const calls: SeenCall[] = [];

/** The recording's text, read straight from its chunks (not through the gateway's decoder). */
const recordedText = (path: string): string =>
  fixtureEvents(path)
    .map((event) => event.replace(/^data: /, '').trim())
    .filter((data) => data !== '[DONE]')
    .map((data) => JSON.parse(data).choices?.[0]?.delta?.content ?? '')
    .join('');

const chunk = (delta: object, finishReason: string | null = null): string =>
  `data: ${JSON.stringify({ id: 'chatcmpl-loop', object: 'chat.completion.chunk', created: 1, model: 'gpt-4o', choices: [{ index: 0, delta, finish_reason: finishReason }] })}\n\n`;
const USAGE = `data: ${JSON.stringify({ id: 'chatcmpl-loop', object: 'chat.completion.chunk', created: 1, model: 'gpt-4o', choices: [], usage: { prompt_tokens: 900, completion_tokens: 20, total_tokens: 920 } })}\n\n`;

interface Message {
  role: string;
  content?: unknown;
  tool_calls?: unknown;
  tool_call_id?: string;
}

const messagesOf = (request: SeenRequest): Message[] => request.json().messages;
const isToolLoop = (request: SeenRequest): boolean =>
  messagesOf(request).some((message) => message.role === 'user' && JSON.stringify(message.content).includes(TOOL_PROMPT));

/** Plays the recording, except for a conversation about note.txt: OpenAI chunks written here, not
 * recorded, first ask for Qwen Code's read_file tool on the note, then answer with what the tool
 * result said. */
const upstreamHandler: FakeHandler = async (request, response) => {
  if (!isToolLoop(request)) return sendEvents(response, fixtureEvents(TEXT_STREAM));
  const toolResult = messagesOf(request).find((message) => message.role === 'tool');
  if (!toolResult) {
    const argumentsText = JSON.stringify({ absolute_path: join(workspace, 'note.txt') });
    await sendEvents(response, [
      chunk({ role: 'assistant', content: null, tool_calls: [{ index: 0, id: 'call_read_1', type: 'function', function: { name: 'read_file', arguments: '' } }] }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: argumentsText.slice(0, 10) } }] }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: argumentsText.slice(10) } }] }),
      chunk({}, 'tool_calls'),
      USAGE,
      'data: [DONE]\n\n',
    ]);
    return;
  }
  const said = JSON.stringify(toolResult.content).includes(NOTE) ? NOTE : 'nothing I could read';
  await sendEvents(response, [chunk({ role: 'assistant', content: 'The note says: ' }), chunk({ content: said }), chunk({}, 'stop'), USAGE, 'data: [DONE]\n\n']);
};

before(async () => {
  upstream = await new FakeUpstream().on('POST /v1/chat/completions', upstreamHandler).start();
  gateway = await startTestGateway({ providers: { modapi: { baseUrl: upstream.url(), apiKey: TEST_KEY } } });
  gateway.server.on('request', (request, response) => {
    // Express strips its mount path from request.url while routing; originalUrl keeps the path sent.
    response.once('finish', () =>
      calls.push({
        method: request.method ?? '',
        url: (request as { originalUrl?: string }).originalUrl ?? request.url ?? '',
        status: response.statusCode,
        contentType: String(response.getHeader('content-type') ?? ''),
      }),
    );
  });
});

after(async () => {
  await gateway.close();
  await upstream.close();
});

interface QwenResult {
  run: QwenCodeRun;
  report: string;
  seen: SeenCall[];
  reachedUpstream: SeenRequest[];
}

/** `qwen -p PROMPT` as a user runs it against the gateway: only its OPENAI_* variables, no proxy
 * variables, a fresh temporary HOME with the settings above (so no run sees an earlier run's
 * sessions or memory) and a workspace holding note.txt as its directory. */
const runQwen = async (prompt: string, token: string): Promise<QwenResult> => {
  const home = mkdtempSync(join(tmpdir(), 'modapi-qwen-code-'));
  writeQwenSettings(home);
  workspace = join(home, 'workspace');
  mkdirSync(workspace);
  writeFileSync(join(workspace, 'note.txt'), `${NOTE}\n`);
  const firstCall = calls.length;
  const firstUpstream = upstream.requests.length;
  const run = await runQwenCode(
    ['-p', prompt],
    {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: home,
      OPENAI_BASE_URL: `http://127.0.0.1:${gateway.port}/v1`,
      OPENAI_API_KEY: token,
      OPENAI_MODEL: 'gpt-4o',
    },
    workspace,
    RUN_TIMEOUT_MS,
  ).finally(() => rmSync(home, { recursive: true, force: true }));
  const seen = calls.slice(firstCall);
  const reachedUpstream = upstream.requests.slice(firstUpstream);
  const report = `exit ${run.code} ${run.signal ?? ''}\nstdout: ${run.stdout.slice(0, 2000)}\nstderr: ${run.stderr.slice(0, 2000)}\ncalls: ${JSON.stringify(seen)}`;
  assert.equal(run.timedOut, false, `Qwen Code ran past ${RUN_TIMEOUT_MS} ms\n${report}`);
  return { run, report, seen, reachedUpstream };
};

/** What every successful run must show: streamed 2xx calls to chat/completions only, and the
 * upstream saw the gateway's key, never the local token. */
const assertCleanRun = ({ run, report, seen, reachedUpstream }: QwenResult): void => {
  assert.equal(run.code, 0, report);
  assert.ok(seen.length > 0, report);
  for (const call of seen) {
    assert.equal(`${call.method} ${call.url}`, 'POST /v1/chat/completions', report);
    assert.ok(call.status >= 200 && call.status < 300, `${call.method} ${call.url} answered ${call.status}\n${report}`);
    assert.match(call.contentType, /^text\/event-stream/, report);
  }
  assert.equal(reachedUpstream.length, seen.length, report);
  for (const request of reachedUpstream) {
    assert.equal(request.headers.authorization, `Bearer ${TEST_KEY}`);
    assert.ok(!JSON.stringify(request.headers).includes(TEST_TOKEN), 'the local token never reaches the upstream');
    assert.ok(!request.body.toString('utf8').includes(TEST_TOKEN));
    const body = request.json();
    assert.equal(body.model, 'gpt-4o');
    assert.equal(body.stream, true);
  }
};

test('Qwen Code 0.10.1 prints the recorded answer streamed through the gateway', { timeout: RUN_TIMEOUT_MS + 10_000 }, async () => {
  const result = await runQwen('What is the weather in San Francisco?', TEST_TOKEN);
  assertCleanRun(result);
  assert.equal(result.run.stdout.trim(), recordedText(TEXT_STREAM), result.report);
  assert.equal(result.seen.length, 1, result.report);
  const [main] = result.reachedUpstream;
  assert.ok(main!.json().tools.some((tool: { function: { name: string } }) => tool.function.name === 'read_file'), "Qwen Code's tools reach the upstream");
});

test('Qwen Code runs read_file when the model asks and sends the result back', { timeout: RUN_TIMEOUT_MS + 10_000 }, async () => {
  const result = await runQwen(TOOL_PROMPT, TEST_TOKEN);
  assertCleanRun(result);
  assert.equal(result.run.stdout.trim(), `The note says: ${NOTE}`, result.report);
  // The tool call, then the answer to its result.
  assert.equal(result.seen.length, 2, result.report);
  const [first, second] = result.reachedUpstream.map(messagesOf);
  assert.ok(!first!.some((message) => message.role === 'tool'), result.report);
  const assistant = second!.find((message) => message.role === 'assistant' && message.tool_calls);
  assert.deepEqual(assistant?.tool_calls, [{ id: 'call_read_1', type: 'function', function: { name: 'read_file', arguments: JSON.stringify({ absolute_path: join(workspace, 'note.txt') }) } }], result.report);
  const toolMessage = second!.find((message) => message.role === 'tool');
  assert.equal(toolMessage?.tool_call_id, 'call_read_1');
  assert.match(JSON.stringify(toolMessage?.content), /pelican/);
});

test('Qwen Code with a wrong token stops at once on the 401', { timeout: RUN_TIMEOUT_MS + 10_000 }, async () => {
  const { run, report, seen, reachedUpstream } = await runQwen('Hello?', 'mk-local-wrong-token-0000000000000000');
  assert.notEqual(run.code, 0, report);
  assert.match(run.stderr, /401/, report);
  assert.deepEqual(
    seen.map((call) => `${call.method} ${call.url} ${call.status}`),
    ['POST /v1/chat/completions 401'],
    `one refused request, no retries\n${report}`,
  );
  assert.equal(reachedUpstream.length, 0, 'nothing reaches the upstream');
  assert.ok(!`${run.stdout}${run.stderr}`.includes('mk-local-wrong-token'), 'the token it sent is not echoed');
});
