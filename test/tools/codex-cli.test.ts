import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { RunningGateway } from '../../proxy/server/gateway-server.js';
import { FakeUpstream, sendEvents, sendJson, type FakeHandler, type SeenRequest } from '../support/fake-upstream.js';
import { fixtureEvents, recordedChatStreamText, responsesTurns } from '../support/fixtures.js';
import { startTestGateway, TEST_KEY, TEST_TOKEN } from '../support/gateway.js';
import { startRecordingForwarder, startRefusingProxy, type ClientRequest, type RecordingForwarder, type RefusingProxy } from '../support/recording-forwarder.js';
import { CODEX_TOKEN_VARIABLE, runCodex, writeCodexConfig, type CodexRun } from './codex-process.js';

/** The real Codex CLI (`codex exec`, 0.171.0) against the gateway's `POST /v1/responses`, over
 * the default provider (OpenAI-compatible chat) played by a fake serving recordings. Codex
 * reaches the gateway through a recording forwarder (to assert on what Codex itself sent) and
 * has a refusing proxy as its HTTP(S)_PROXY (to show it tries no other connection). */

const TEXT_STREAM = 'openai/chat-stream-text-include-usage-gpt-4o.openai-python.sse';
const EXEC_CALL_STREAM = 'openai/chat-stream-exec-command-tool-call.hand-written.sse';
const AFTER_TOOL_STREAM = 'openai/chat-stream-text-after-tool-result.hand-written.sse';
const RESPONSES_TEXT_STREAM = 'openai-responses/stream-text-usage-gpt-4o-mini.vercel.jsonl';
const RUN_TIMEOUT_MS = 40_000;
const NOTE = 'the secret word is pelican';
const TOOL_PROMPT = 'What does note.txt say?';

let upstream: FakeUpstream;
let gateway: RunningGateway;
let forwarder: RecordingForwarder;
let outside: RefusingProxy;

interface Message {
  role: string;
  content?: unknown;
  tool_calls?: unknown;
  tool_call_id?: string;
}

const messagesOf = (request: SeenRequest): Message[] => request.json().messages;

/** Plays TEXT_STREAM, except for the conversation about note.txt: first the (hand-written) call of
 * Codex's exec_command tool, then, once a tool result holding the note comes back, the final
 * text. A tool result without the note gets a 400, so the run fails visibly. */
const upstreamHandler: FakeHandler = async (request, response) => {
  const messages = messagesOf(request);
  if (!messages.some((message) => message.role === 'user' && JSON.stringify(message.content).includes(TOOL_PROMPT))) return sendEvents(response, fixtureEvents(TEXT_STREAM));
  const toolResult = messages.find((message) => message.role === 'tool');
  if (!toolResult) return sendEvents(response, fixtureEvents(EXEC_CALL_STREAM));
  if (!JSON.stringify(toolResult.content).includes(NOTE)) return sendJson(response, 400, { error: { message: 'the tool result does not hold the note', type: 'invalid_request_error' } });
  return sendEvents(response, fixtureEvents(AFTER_TOOL_STREAM));
};

before(async () => {
  upstream = await new FakeUpstream()
    .on('POST /v1/chat/completions', upstreamHandler)
    .on('POST /v1/responses', (_request, response) => sendEvents(response, responsesTurns(RESPONSES_TEXT_STREAM)[0]!))
    .start();
  gateway = await startTestGateway({ providers: { modapi: { baseUrl: upstream.url(), apiKey: TEST_KEY }, openai: { baseUrl: upstream.url(), apiKey: TEST_KEY } } });
  forwarder = await startRecordingForwarder(gateway.port);
  outside = await startRefusingProxy();
});

after(async () => {
  await forwarder.close();
  await outside.close();
  await gateway.close();
  await upstream.close();
});

interface CodexResult {
  run: CodexRun;
  report: string;
  sent: ClientRequest[];
  reachedUpstream: SeenRequest[];
}

/** `codex exec PROMPT` as a user runs it: a fresh temporary HOME and CODEX_HOME with the
 * provider entry, the token in the variable `env_key` names, a workspace holding note.txt, and
 * Codex's default sandbox for exec (read-only), in which the model's `cat note.txt` runs. */
const runExec = async (prompt: string, model = 'gpt-4o'): Promise<CodexResult> => {
  const home = mkdtempSync(join(tmpdir(), 'modapi-codex-'));
  const workspace = join(home, 'workspace');
  mkdirSync(workspace);
  writeFileSync(join(workspace, 'note.txt'), `${NOTE}\n`);
  writeCodexConfig(join(home, '.codex'), forwarder.url('/v1'), model);
  const firstSent = forwarder.requests.length;
  const firstUpstream = upstream.requests.length;
  const firstAttempt = outside.attempts.length;
  const run = await runCodex(
    ['exec', '--skip-git-repo-check', '-C', workspace, prompt],
    {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: home,
      CODEX_HOME: join(home, '.codex'),
      [CODEX_TOKEN_VARIABLE]: TEST_TOKEN,
      HTTP_PROXY: outside.url,
      HTTPS_PROXY: outside.url,
      ALL_PROXY: outside.url,
      NO_PROXY: '127.0.0.1,localhost',
    },
    workspace,
    RUN_TIMEOUT_MS,
  ).finally(() => rmSync(home, { recursive: true, force: true }));
  const sent = forwarder.requests.slice(firstSent);
  const reachedUpstream = upstream.requests.slice(firstUpstream);
  const summary = sent.map((request) => `${request.method} ${request.url} -> ${request.answer?.status}`);
  const report = `exit ${run.code} ${run.signal ?? ''}\nstdout: ${run.stdout.slice(0, 2000)}\nstderr: ${run.stderr.slice(-3000)}\nsent: ${JSON.stringify(summary)}`;
  assert.equal(run.timedOut, false, `Codex ran past ${RUN_TIMEOUT_MS} ms\n${report}`);
  assert.deepEqual(outside.attempts.slice(firstAttempt), [], `Codex tried to reach the outside\n${report}`);
  return { run, report, sent, reachedUpstream };
};

/** What every run must show: only streamed POST /v1/responses calls with the local token, each
 * answered 200 with the warning that web_search was left out, and each reaching the upstream as
 * a streamed chat request with the gateway's key. */
const assertCleanRun = ({ run, report, sent, reachedUpstream }: CodexResult): void => {
  assert.equal(run.code, 0, report);
  assert.ok(sent.length > 0, report);
  for (const request of sent) {
    assert.equal(`${request.method} ${request.url}`, 'POST /v1/responses', report);
    assert.equal(request.headers.authorization, `Bearer ${TEST_TOKEN}`);
    assert.equal(request.answer?.status, 200, report);
    assert.match(String(request.answer?.headers['content-type']), /^text\/event-stream/);
    assert.match(String(request.answer?.headers['x-modapi-warning']), /web_search/, 'the built-in tool Codex sends is named as left out');
  }
  assert.equal(reachedUpstream.length, sent.length, report);
  for (const request of reachedUpstream) {
    assert.equal(request.headers.authorization, `Bearer ${TEST_KEY}`);
    assert.ok(!request.body.toString('utf8').includes(TEST_TOKEN), 'the local token never reaches the upstream');
    const body = request.json();
    assert.equal(body.model, 'gpt-4o');
    assert.equal(body.stream, true);
  }
};

interface InputItem {
  type?: string;
  role?: string;
  call_id?: string;
  name?: string;
  arguments?: string;
  output?: unknown;
}

test('Codex CLI 0.171.0 prints the recorded answer streamed through /v1/responses', { timeout: RUN_TIMEOUT_MS + 10_000 }, async () => {
  const result = await runExec('What is the weather in San Francisco?');
  assertCleanRun(result);
  assert.equal(result.run.stdout.trim(), recordedChatStreamText(TEXT_STREAM), result.report);
  assert.equal(result.sent.length, 1, result.report);
  // Codex's request shape, as issue 13 captured it.
  const body = result.sent[0]!.json();
  assert.equal(body.model, 'gpt-4o');
  assert.equal(body.stream, true);
  assert.equal(body.store, false);
  assert.deepEqual(body.include, ['reasoning.encrypted_content']);
  const toolTypes = new Set(body.tools.map((tool: { type: string }) => tool.type));
  for (const type of ['function', 'web_search', 'namespace']) assert.ok(toolTypes.has(type), `Codex sent a ${type} tool`);
  assert.ok(body.input.some((item: InputItem) => item.role === 'developer'), 'Codex sent developer instructions');
  // Upstream: functions (the namespace's flattened), no built-in tool.
  const names = result.reachedUpstream[0]!.json().tools.map((tool: { type: string; function: { name: string } }) => `${tool.type}:${tool.function.name}`);
  assert.ok(names.includes('function:exec_command'), names.join());
  assert.ok(names.some((name: string) => name.startsWith('function:multi_agent_v1__')), names.join());
});

test('Codex CLI runs the shell command the model asked for and answers from its output', { timeout: RUN_TIMEOUT_MS + 10_000 }, async () => {
  const result = await runExec(TOOL_PROMPT);
  assertCleanRun(result);
  assert.equal(result.run.stdout.trim(), recordedChatStreamText(AFTER_TOOL_STREAM), result.report);
  assert.equal(result.sent.length, 2, `the tool call, then the answer to its result\n${result.report}`);
  // Codex's second turn sends the call back (store is false) with the command's output.
  const input: InputItem[] = result.sent[1]!.json().input;
  const call = input.find((item) => item.type === 'function_call');
  assert.equal(call?.call_id, 'call_exec_1', result.report);
  assert.equal(call?.name, 'exec_command');
  assert.deepEqual(JSON.parse(call?.arguments ?? '{}'), { cmd: 'cat note.txt' });
  const output = input.find((item) => item.type === 'function_call_output');
  assert.equal(output?.call_id, 'call_exec_1');
  assert.match(JSON.stringify(output?.output), /pelican/);
  // The upstream saw the same turn in chat terms.
  const second = messagesOf(result.reachedUpstream[1]!);
  const assistant = second.find((message) => message.role === 'assistant' && message.tool_calls);
  assert.deepEqual(assistant?.tool_calls, [{ id: 'call_exec_1', type: 'function', function: { name: 'exec_command', arguments: JSON.stringify({ cmd: 'cat note.txt' }) } }], result.report);
  const toolMessage = second.find((message) => message.role === 'tool');
  assert.equal(toolMessage?.tool_call_id, 'call_exec_1');
  assert.match(JSON.stringify(toolMessage?.content), /pelican/);
});

test('Codex CLI over a provider that serves Responses itself (openai/*): its request relayed as it sent it, built-in and namespace tools included', { timeout: RUN_TIMEOUT_MS + 10_000 }, async () => {
  const { run, report, sent, reachedUpstream } = await runExec('Say OK.', 'openai/gpt-5.1');
  assert.equal(run.code, 0, report);
  const recordedText = responsesTurns(RESPONSES_TEXT_STREAM)[0]!.map((event) => JSON.parse(event.split('data: ')[1]!)).find((event) => event.type === 'response.output_text.done').text;
  assert.equal(run.stdout.trim(), recordedText, report);
  assert.equal(sent.length, 1, report);
  assert.equal(sent[0]!.answer?.status, 200, report);
  assert.equal(sent[0]!.answer?.headers['x-modapi-warning'], undefined, 'nothing is left out of a relayed request');
  assert.equal(reachedUpstream.length, 1, report);
  assert.equal(reachedUpstream[0]!.url, '/v1/responses');
  assert.equal(reachedUpstream[0]!.headers.authorization, `Bearer ${TEST_KEY}`);
  assert.deepEqual(reachedUpstream[0]!.json(), { ...sent[0]!.json(), model: 'gpt-5.1' });
});
