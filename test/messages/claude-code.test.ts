import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { sendEvents, type FakeHandler } from '../support/fake-upstream.js';
import { fixtureEvents, fixtureText } from '../support/fixtures.js';
import { TEST_KEY, TEST_TOKEN } from '../support/gateway.js';
import { claudeCodeBinary, runClaudeCode, type ClaudeCodeRun } from './claude-code-process.js';
import { playRecordings, startMessagesGateway, type MessagesGateway } from './messages-gateway.js';
import { recordedAnswer } from './recorded-answers.js';

const TEXT_STREAM = 'openai/chat-stream-text-include-usage-gpt-4o.openai-python.sse';
const TEXT_WHOLE = 'openai/chat-completion-text-gpt-4-1-nano.vercel.json';
const ANTHROPIC_STREAM = 'anthropic/stream-text-sonnet-4-5.vercel.jsonl';
const GEMINI_STREAM = 'gemini/stream-text-thoughts-token-count.vercel.jsonl';
const RUN_TIMEOUT_MS = 90_000;
const NOTE = 'the secret word is pelican';

interface SeenCall {
  method: string;
  url: string;
  status: number;
}

let harness: MessagesGateway;
let home: string;
const calls: SeenCall[] = [];

const chunk = (delta: object, finishReason: string | null = null): string =>
  `data: ${JSON.stringify({ id: 'chatcmpl-loop', object: 'chat.completion.chunk', created: 1, model: 'tool-loop', choices: [{ index: 0, delta, finish_reason: finishReason }] })}\n\n`;
const USAGE = `data: ${JSON.stringify({ id: 'chatcmpl-loop', object: 'chat.completion.chunk', created: 1, model: 'tool-loop', choices: [], usage: { prompt_tokens: 900, completion_tokens: 20, total_tokens: 920 } })}\n\n`;

/** OpenAI chunks written here, not recorded: the model `tool-loop` first asks for the Read tool on
 * a file, then answers with what the tool result said. Every other model plays the recordings. */
const upstreamHandler = (): FakeHandler => {
  const recording = { stream: TEXT_STREAM, whole: TEXT_WHOLE };
  const recordings = playRecordings({ 'gpt-4o': recording, 'gpt-4o-mini': recording }, 'OpenAI');
  return async (request, response) => {
    const body = request.json();
    if (body.model !== 'tool-loop') return recordings(request, response);
    const toolResult = body.messages.find((message: { role: string }) => message.role === 'tool');
    if (!toolResult) {
      const argumentsText = JSON.stringify({ file_path: join(home, 'note.txt') });
      await sendEvents(response, [
        chunk({ role: 'assistant', content: null, tool_calls: [{ index: 0, id: 'call_read_1', type: 'function', function: { name: 'Read', arguments: '' } }] }),
        chunk({ tool_calls: [{ index: 0, function: { arguments: argumentsText.slice(0, 10) } }] }),
        chunk({ tool_calls: [{ index: 0, function: { arguments: argumentsText.slice(10) } }] }),
        chunk({}, 'tool_calls'),
        USAGE,
        'data: [DONE]\n\n',
      ]);
      return;
    }
    const said = String(toolResult.content).includes(NOTE) ? NOTE : 'nothing I could read';
    await sendEvents(response, [chunk({ role: 'assistant', content: 'The note says: ' }), chunk({ content: said }), chunk({}, 'stop'), USAGE, 'data: [DONE]\n\n']);
  };
};

before(async () => {
  harness = await startMessagesGateway({}, { 'claude-sonnet-4-5': { stream: ANTHROPIC_STREAM } }, {
    'POST /v1/chat/completions': upstreamHandler(),
    'POST /v1beta/models/gemini-3-pro-preview:streamGenerateContent': (_request, response) => sendEvents(response, fixtureEvents(GEMINI_STREAM)),
  });
  harness.gateway.server.on('request', (request, response) => {
    // Express strips its mount path from request.url while routing; originalUrl keeps the path sent.
    response.once('finish', () => calls.push({ method: request.method ?? '', url: (request as { originalUrl?: string }).originalUrl ?? request.url ?? '', status: response.statusCode }));
  });
  home = mkdtempSync(join(tmpdir(), 'modapi-claude-code-'));
  writeFileSync(join(home, 'note.txt'), `${NOTE}\n`);
});

after(async () => {
  await harness.close();
  rmSync(home, { recursive: true, force: true });
});

/** `claude -p` against the gateway, with a clean environment: a temporary HOME, telemetry off, no proxy variables. */
const runClaude = async (model: string, prompt: string, extraArgs: string[] = []): Promise<{ run: ClaudeCodeRun; report: string; seen: SeenCall[] }> => {
  const binary = claudeCodeBinary();
  assert.ok(binary, 'the Claude Code binary is installed (npm ci installs @anthropic-ai/claude-code and its platform package)');
  const first = calls.length;
  const run = await runClaudeCode(
    binary,
    ['-p', prompt, '--output-format', 'text', ...extraArgs],
    {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: home,
      ANTHROPIC_BASE_URL: harness.root,
      ANTHROPIC_AUTH_TOKEN: TEST_TOKEN,
      ANTHROPIC_MODEL: model,
      ANTHROPIC_SMALL_FAST_MODEL: 'gpt-4o-mini',
      ANTHROPIC_DEFAULT_HAIKU_MODEL: 'gpt-4o-mini',
      DISABLE_TELEMETRY: '1',
      DISABLE_ERROR_REPORTING: '1',
      DISABLE_AUTOUPDATER: '1',
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    },
    home,
    RUN_TIMEOUT_MS,
  );
  const seen = calls.slice(first);
  const report = `exit ${run.code} ${run.signal ?? ''}\nstdout: ${run.stdout.slice(0, 2000)}\nstderr: ${run.stderr.slice(0, 2000)}\ncalls: ${JSON.stringify(seen)}`;
  assert.equal(run.timedOut, false, `Claude Code ran past ${RUN_TIMEOUT_MS} ms\n${report}`);
  assert.equal(run.code, 0, report);
  assert.ok(seen.some((call) => call.url.startsWith('/v1/messages')), `Claude Code called /v1/messages\n${report}`);
  for (const call of seen) assert.ok(call.status >= 200 && call.status < 300, `${call.method} ${call.url} answered ${call.status}\n${report}`);
  return { run, report, seen };
};

test('Claude Code 2.1.197 answers through the gateway from an OpenAI-dialect model', { timeout: RUN_TIMEOUT_MS + 10_000 }, async () => {
  const expected = (await recordedAnswer(TEXT_STREAM)).choices[0]!.content;
  const { run, report } = await runClaude('gpt-4o', 'What is the weather in San Francisco?');
  assert.equal(run.stdout.trim(), expected, report);
  assert.ok(harness.upstream.requests.some((request) => request.json().model === 'gpt-4o'), 'the main model reached the fake upstream');
});

test('Claude Code runs a tool the model asked for and sends its result back', { timeout: RUN_TIMEOUT_MS + 10_000 }, async () => {
  const before = harness.upstream.requests.length;
  const { run, report } = await runClaude('tool-loop', 'What does note.txt say?', ['--allowedTools', 'Read']);
  assert.equal(run.stdout.trim(), `The note says: ${NOTE}`, report);
  const loop = harness.upstream.requests.slice(before).map((request) => request.json()).filter((body) => body.model === 'tool-loop');
  assert.equal(loop.length, 2, report);
  const [, second] = loop;
  const assistant = second.messages.find((message: { role: string; tool_calls?: unknown }) => message.role === 'assistant' && message.tool_calls);
  assert.deepEqual(assistant.tool_calls, [{ id: 'call_read_1', type: 'function', function: { name: 'Read', arguments: JSON.stringify({ file_path: join(home, 'note.txt') }) } }]);
  const toolMessage = second.messages.find((message: { role: string }) => message.role === 'tool');
  assert.equal(toolMessage.tool_call_id, 'call_read_1');
  assert.match(toolMessage.content, /pelican/);
});

test('Claude Code on an anthropic/* model goes through natively, its headers and body kept', { timeout: RUN_TIMEOUT_MS + 10_000 }, async () => {
  const before = harness.upstream.requests.length;
  const { run, report } = await runClaude('anthropic/claude-sonnet-4-5', 'How are you?');
  const recordedText = fixtureText(ANTHROPIC_STREAM)
    .split('\n')
    .filter((line) => line.includes('text_delta'))
    .map((line) => JSON.parse(line).delta.text)
    .join('');
  assert.equal(run.stdout.trim(), recordedText, report);
  const seen = harness.upstream.requests.slice(before).find((request) => request.url.startsWith('/v1/messages'));
  assert.ok(seen, report);
  assert.equal(seen.url, '/v1/messages?beta=true');
  assert.equal(seen.headers['x-api-key'], TEST_KEY);
  assert.equal(seen.headers.authorization, undefined, "the client's token is never forwarded");
  assert.match(String(seen.headers['anthropic-beta']), /claude-code/);
  const body = seen.json();
  assert.equal(body.model, 'claude-sonnet-4-5');
  for (const field of ['thinking', 'metadata', 'system', 'max_tokens']) assert.ok(field in body, `Claude Code's ${field} reaches Anthropic`);
  assert.ok(body.tools.length > 10);
});

test('Claude Code on a Gemini model: translated by the Gemini adapter and back into Anthropic events', { timeout: RUN_TIMEOUT_MS + 10_000 }, async () => {
  const before = harness.upstream.requests.length;
  const { run, report } = await runClaude('gemini/gemini-3-pro-preview', 'How many r in strawberry?');
  const recordedText = fixtureText(GEMINI_STREAM)
    .split('\n')
    .filter((line) => line.trim())
    .flatMap((line) => JSON.parse(line).candidates?.[0]?.content?.parts ?? [])
    .filter((part: { thought?: boolean; text?: string }) => !part.thought && part.text)
    .map((part: { text: string }) => part.text)
    .join('');
  assert.equal(run.stdout.trim(), recordedText.trim(), report);
  const seen = harness.upstream.requests.slice(before).find((request) => request.url.includes(':streamGenerateContent'));
  assert.ok(seen, report);
  assert.equal(seen.headers['x-goog-api-key'], TEST_KEY);
  assert.ok(seen.json().tools?.[0]?.functionDeclarations?.length > 10, "Claude Code's tools reach Gemini as function declarations");
});
