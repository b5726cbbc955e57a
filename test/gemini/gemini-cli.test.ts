import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { IncomingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { sendEvents, sendJson, type FakeHandler, type SeenRequest } from '../support/fake-upstream.js';
import { fixtureEvents, fixtureText } from '../support/fixtures.js';
import { TEST_KEY, TEST_TOKEN } from '../support/gateway.js';
import { RefusingProxy } from '../support/refusing-proxy.js';
import type { ToolRun } from '../support/run-tool.js';
import type { UsageRecord } from '../../proxy/usage/usage-record.js';
import { playRecordings, startMessagesGateway, type MessagesGateway } from '../messages/messages-gateway.js';
import { recordedAnswer } from '../messages/recorded-answers.js';
import { geminiCli, runGeminiCli, prepareGeminiHome, type GeminiCliInstall } from './gemini-cli-process.js';

/** The real Gemini CLI (`gemini -p`, GOOGLE_GEMINI_BASE_URL at the gateway, GEMINI_API_KEY = a local
 * token) against the running gateway, offline: the upstreams are fakes on 127.0.0.1 serving
 * recordings, and hand-written answers (`*.hand-written.*`) for the file-reading round trips. */

const VERSION = '0.61.0';
const TEXT_STREAM = 'openai/chat-stream-text-include-usage-gpt-4o.openai-python.sse';
const ANTHROPIC_STREAM = 'anthropic/stream-text-sonnet-4-5.vercel.jsonl';
const GEMINI_STREAM = 'gemini/stream-text-thoughts-token-count.vercel.jsonl';
const OPENAI_READ_CALL = 'openai/chat-stream-read-file-call.hand-written.sse';
const OPENAI_NOTE_ANSWER = 'openai/chat-stream-note-answer.hand-written.sse';
const GEMINI_READ_CALL = 'gemini/stream-read-file-call.hand-written.jsonl';
const GEMINI_NOTE_ANSWER = 'gemini/stream-note-answer.hand-written.jsonl';
const NOTE = 'the secret word is pelican';
const ANSWER_TEXT = 'The note says the secret word is pelican.';
const RUN_TIMEOUT_MS = 40_000;

interface SeenCall {
  method: string;
  url: string;
  status: number;
  headers: IncomingHttpHeaders;
}

let harness: MessagesGateway;
const calls: SeenCall[] = [];

/** A plain 400 when the function response did not carry the file: the CLI then fails, visibly. */
const refuse = (response: Parameters<FakeHandler>[1], what: string): void => sendJson(response, 400, { error: { message: `the fake upstream did not get ${what}`, type: 'invalid_request_error' } });

/** Model `read-note` over the OpenAI-compatible fake: first it calls read_file on note.txt, then,
 * once a tool message carries the note, it answers. Every other model plays the recordings. */
const openaiUpstream = (): FakeHandler => {
  const recordings = playRecordings({ 'gpt-4o': { stream: TEXT_STREAM } }, 'OpenAI');
  return async (request, response) => {
    const body = request.json();
    if (body.model !== 'read-note') return recordings(request, response);
    const toolMessage = body.messages.find((message: { role: string }) => message.role === 'tool');
    if (!toolMessage) return sendEvents(response, fixtureEvents(OPENAI_READ_CALL));
    if (!JSON.stringify(toolMessage.content).includes(NOTE)) return refuse(response, 'the note in the tool message');
    return sendEvents(response, fixtureEvents(OPENAI_NOTE_ANSWER));
  };
};

interface GeminiPart {
  functionResponse?: { name: string; response: unknown };
}

/** The same round trip relayed natively to the Gemini fake (model `gemini/gemini-2.5-flash`). */
const geminiReadNote: FakeHandler = async (request, response) => {
  const parts: GeminiPart[] = request.json().contents.flatMap((content: { parts: GeminiPart[] }) => content.parts);
  const functionResponse = parts.find((part) => part.functionResponse)?.functionResponse;
  if (!functionResponse) return sendEvents(response, fixtureEvents(GEMINI_READ_CALL));
  if (!JSON.stringify(functionResponse.response).includes(NOTE)) return refuse(response, 'the note in the function response');
  return sendEvents(response, fixtureEvents(GEMINI_NOTE_ANSWER));
};

before(async () => {
  harness = await startMessagesGateway({}, { 'claude-sonnet-4-5': { stream: ANTHROPIC_STREAM } }, {
    'POST /v1/chat/completions': openaiUpstream(),
    'POST /v1beta/models/gemini-3-pro-preview:streamGenerateContent': (_request, response) => sendEvents(response, fixtureEvents(GEMINI_STREAM)),
    'POST /v1beta/models/gemini-2.5-flash:streamGenerateContent': geminiReadNote,
  });
  harness.gateway.server.on('request', (request, response) => {
    // Express strips its mount path from request.url while routing; originalUrl keeps the path sent.
    response.once('finish', () => calls.push({ method: request.method ?? '', url: (request as { originalUrl?: string }).originalUrl ?? request.url ?? '', status: response.statusCode, headers: request.headers }));
  });
});

after(() => harness.close());

/** What `--output-format json` prints: the answer, and the CLI's own count of tokens and tool calls. */
interface ModelStats {
  api: { totalRequests: number; totalErrors: number };
  tokens: { prompt: number; candidates: number; cached: number; thoughts: number };
}

interface CliOutput {
  response: string;
  stats: {
    /** By the modelVersion of the answers. */
    models: Record<string, ModelStats>;
    tools: { totalCalls: number; byName: Record<string, { count: number; success: number; fail: number }> };
  };
}

interface CliResult {
  output: CliOutput;
  /** The one model of `output.stats`. */
  modelStats: ModelStats;
  report: string;
  /** What reached the gateway during this run. */
  seen: SeenCall[];
  /** What the gateway sent the fake upstreams during this run. */
  upstream: SeenRequest[];
}

/** The gateway's requests to the fake upstreams for one model: runs go in parallel, each on its own model. */
const upstreamFor = (model: string): SeenRequest[] =>
  harness.upstream.requests.filter((request) => {
    if (model.startsWith('gemini/')) return request.url.startsWith(`/v1beta/models/${model.slice('gemini/'.length)}:`);
    if (model.startsWith('anthropic/')) return request.url === '/v1/messages' && request.json().model === model.slice('anthropic/'.length);
    return request.url === '/v1/chat/completions' && request.json().model === model;
  });

/** `gemini -p <prompt> --model <model>` in its own temporary HOME and trusted workspace (holding
 * note.txt), with its own refusing proxy; checks it ended well, talked only to the gateway's
 * streamGenerateContent with its key in x-goog-api-key, and tried to reach nothing else. */
const runGemini = async (model: string, prompt: string): Promise<CliResult> => {
  const install: GeminiCliInstall | undefined = geminiCli();
  assert.ok(install, 'Gemini CLI is installed (@google/gemini-cli)');
  assert.equal(install.version, VERSION);
  const home = mkdtempSync(join(tmpdir(), 'modapi-gemini-cli-'));
  const workspace = join(home, 'project');
  mkdirSync(workspace);
  writeFileSync(join(workspace, 'note.txt'), `${NOTE}\n`);
  prepareGeminiHome(home);
  const proxy = await new RefusingProxy().start();
  let run: ToolRun;
  try {
    run = await runGeminiCli(install.script, { gatewayRoot: harness.root, token: TEST_TOKEN, home, workspace, proxyUrl: proxy.url() }, ['-p', prompt, '--model', model, '--output-format', 'json'], RUN_TIMEOUT_MS);
  } finally {
    await proxy.close();
    rmSync(home, { recursive: true, force: true });
  }
  const seen = calls.filter((call) => call.url.startsWith(`/v1beta/models/${model}:`));
  const upstream = upstreamFor(model);
  const report = `exit ${run.code} ${run.signal ?? ''}\nstdout: ${run.stdout.slice(0, 2000)}\nstderr: ${run.stderr.slice(0, 2000)}\ncalls: ${JSON.stringify(seen.map(({ method, url, status }) => ({ method, url, status })))}\nelsewhere: ${JSON.stringify(proxy.attempts)}`;
  assert.equal(run.timedOut, false, `Gemini CLI ran past ${RUN_TIMEOUT_MS} ms\n${report}`);
  assert.equal(run.code, 0, report);
  assert.deepEqual(proxy.attempts, [], `Gemini CLI tried to reach nothing but the gateway\n${report}`);
  assert.ok(seen.length > 0, report);
  for (const call of seen) {
    assert.equal(call.method, 'POST', report);
    assert.equal(call.url, `/v1beta/models/${model}:streamGenerateContent?alt=sse`, report);
    assert.equal(call.status, 200, report);
    assert.equal(call.headers['x-goog-api-key'], TEST_TOKEN, 'the local token in x-goog-api-key');
    assert.match(String(call.headers['user-agent']), new RegExp(`^GeminiCLI[^/]*/${VERSION.replace(/\./g, '\\.')}/`));
    assert.equal(call.headers['x-gemini-api-privileged-user-id'], undefined, 'no installation id: usage statistics are off');
  }
  for (const request of upstream) assert.ok(!JSON.stringify(request.headers).includes(TEST_TOKEN), "the client's token is never forwarded");
  const output = JSON.parse(run.stdout) as CliOutput;
  const [modelStats, ...others] = Object.values(output.stats.models);
  assert.ok(modelStats && others.length === 0, `the CLI counted one model\n${report}`);
  assert.deepEqual(modelStats.api, { ...modelStats.api, totalRequests: seen.length, totalErrors: 0 }, report);
  return { output, modelStats, report, seen, upstream };
};

/** The ledger records of a model's calls, once all `count` of them are written. */
const recordsFor = async (model: string, count: number): Promise<UsageRecord[]> => {
  for (let waited = 0; waited < 2_000; waited += 10) {
    const records = harness.records.filter((entry) => entry.requestedModel === model);
    if (records.length >= count) return records;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`fewer than ${count} ledger records for ${model}`);
};

/** The tokens the CLI counted are those the ledger counted (Gemini's prompt count includes cached tokens). */
const assertTokensAsLedger = async ({ modelStats, report }: CliResult, model: string, calls: number): Promise<void> => {
  const records = await recordsFor(model, calls);
  assert.equal(records.length, calls, report);
  const sum = (field: 'promptTokens' | 'completionTokens') => records.reduce((total, record) => total + record[field], 0);
  const { tokens } = modelStats;
  assert.ok(sum('promptTokens') > 0, report);
  assert.deepEqual({ prompt: tokens.prompt, candidates: tokens.candidates + tokens.thoughts }, { prompt: sum('promptTokens'), candidates: sum('completionTokens') }, report);
};

/** The text of a recorded Gemini stream, thoughts left out, as the CLI prints it. */
const geminiRecordedText = (path: string): string =>
  fixtureText(path)
    .split('\n')
    .filter((line) => line.trim())
    .flatMap((line) => JSON.parse(line).candidates?.[0]?.content?.parts ?? [])
    .filter((part: { thought?: boolean; text?: string }) => !part.thought && part.text)
    .map((part: { text: string }) => part.text)
    .join('');

// The runs go in parallel (each on its own model, HOME and proxy): the CLI spends most of its time
// starting up.
describe(`Gemini CLI ${VERSION} through the gateway`, { concurrency: true }, () => {
  test(`answers a prompt from a bare model id over an OpenAI-compatible upstream`, { timeout: RUN_TIMEOUT_MS + 10_000 }, async () => {
    const expected = (await recordedAnswer(TEXT_STREAM)).choices[0]!.content;
    const result = await runGemini('gpt-4o', 'What is the weather in San Francisco?');
    const { output, report, seen, upstream } = result;
    assert.deepEqual(Object.keys(output.stats.models), ['gpt-4o'], 'the answers name the model asked for');
    assert.equal(output.response.trim(), expected, report);
    assert.equal(seen.length, 1, report);
    assert.equal(upstream.length, 1, report);
    const [sent] = upstream;
    assert.equal(sent!.url, '/v1/chat/completions');
    assert.equal(sent!.headers.authorization, `Bearer ${TEST_KEY}`);
    const body = sent!.json();
    assert.equal(body.model, 'gpt-4o');
    assert.equal(body.stream, true);
    assert.equal(body.messages[0].role, 'system', "the CLI's systemInstruction leads");
    assert.match(body.messages[0].content, /Gemini CLI/);
    assert.match(JSON.stringify(body.messages.at(-1)), /What is the weather in San Francisco\?/);
    const toolNames = body.tools.map((tool: { function: { name: string } }) => tool.function.name);
    assert.ok(toolNames.includes('read_file'), `the CLI's function declarations reach the upstream as tools: ${toolNames}`);
    await assertTokensAsLedger(result, 'gpt-4o', 1);
    const [record] = await recordsFor('gpt-4o', 1);
    assert.equal(record!.endpoint, '/v1beta/models:streamGenerateContent');
    assert.equal(record!.status, 200);
  });

  test(`on a gemini/* model: relayed natively, the key replaced`, { timeout: RUN_TIMEOUT_MS + 10_000 }, async () => {
    const { output, modelStats, report, upstream } = await runGemini('gemini/gemini-3-pro-preview', 'How many r in strawberry?');
    assert.equal(output.response.trim(), geminiRecordedText(GEMINI_STREAM).trim(), report);
    const recordedUsage = JSON.parse(fixtureText(GEMINI_STREAM).trim().split('\n').at(-1)!).usageMetadata;
    const { tokens } = modelStats;
    assert.deepEqual([tokens.prompt, tokens.candidates, tokens.thoughts], [recordedUsage.promptTokenCount, recordedUsage.candidatesTokenCount, recordedUsage.thoughtsTokenCount], 'the recorded usage reaches the CLI as Gemini sent it');
    assert.equal(upstream.length, 1, report);
    const [sent] = upstream;
    assert.equal(sent!.url, '/v1beta/models/gemini-3-pro-preview:streamGenerateContent?alt=sse');
    assert.equal(sent!.headers['x-goog-api-key'], TEST_KEY);
    const body = sent!.json();
    assert.deepEqual(Object.keys(body).sort(), ['contents', 'generationConfig', 'systemInstruction', 'tools']);
    assert.match(JSON.stringify(body.contents.at(-1)), /How many r in strawberry\?/);
    assert.deepEqual(body.generationConfig.thinkingConfig, { includeThoughts: true });
  });

  test(`on an anthropic/* model: translated to Anthropic Messages and back`, { timeout: RUN_TIMEOUT_MS + 10_000 }, async () => {
    const result = await runGemini('anthropic/claude-sonnet-4-5', 'How are you?');
    const { output, report, upstream } = result;
    const recordedText = fixtureText(ANTHROPIC_STREAM)
      .split('\n')
      .filter((line) => line.includes('text_delta'))
      .map((line) => JSON.parse(line).delta.text)
      .join('');
    assert.equal(output.response.trim(), recordedText.trim(), report);
    await assertTokensAsLedger(result, 'anthropic/claude-sonnet-4-5', 1);
    assert.equal(upstream.length, 1, report);
    const [sent] = upstream;
    assert.equal(sent!.headers['x-api-key'], TEST_KEY);
    const body = sent!.json();
    assert.equal(body.stream, true);
    assert.match(JSON.stringify(body.system), /Gemini CLI/);
    const toolNames = body.tools.map((tool: { name: string }) => tool.name);
    assert.ok(toolNames.includes('read_file'), `the CLI's function declarations reach Anthropic as tools: ${toolNames}`);
  });

  test(`reads a file the model asked for and sends it back (OpenAI-compatible upstream)`, { timeout: RUN_TIMEOUT_MS + 10_000 }, async () => {
    const result = await runGemini('read-note', 'What does note.txt say?');
    const { output, report, seen, upstream } = result;
    assert.equal(output.response.trim(), ANSWER_TEXT, report);
    assert.deepEqual(output.stats.tools.byName.read_file, { ...output.stats.tools.byName.read_file, count: 1, success: 1, fail: 0 }, report);
    await assertTokensAsLedger(result, 'read-note', 2);
    assert.equal(seen.length, 2, report);
    const loop = upstream.map((request) => request.json());
    assert.equal(loop.length, 2, report);
    const second = loop[1];
    const assistant = second.messages.find((message: { role: string; tool_calls?: unknown }) => message.role === 'assistant' && message.tool_calls);
    assert.equal(assistant.tool_calls.length, 1, report);
    assert.equal(assistant.tool_calls[0].function.name, 'read_file');
    assert.deepEqual(JSON.parse(assistant.tool_calls[0].function.arguments), { file_path: 'note.txt' });
    const toolMessage = second.messages.find((message: { role: string }) => message.role === 'tool');
    assert.equal(toolMessage.tool_call_id, assistant.tool_calls[0].id, 'the result answers the call it names');
    assert.match(JSON.stringify(toolMessage.content), new RegExp(NOTE), "the file's content reached the upstream");
  });

  test(`reads a file the model asked for and sends it back (gemini/* relayed natively)`, { timeout: RUN_TIMEOUT_MS + 10_000 }, async () => {
    const { output, report, seen, upstream } = await runGemini('gemini/gemini-2.5-flash', 'What does note.txt say?');
    assert.equal(output.response.trim(), ANSWER_TEXT, report);
    assert.deepEqual(output.stats.tools.byName.read_file, { ...output.stats.tools.byName.read_file, count: 1, success: 1, fail: 0 }, report);
    assert.equal(seen.length, 2, report);
    assert.equal(upstream.length, 2, report);
    const contents = upstream[1]!.json().contents as { role: string; parts: Record<string, any>[] }[];
    const call = contents.flatMap((content) => content.parts).find((part) => part.functionCall)?.functionCall;
    assert.deepEqual(call && { name: call.name, args: call.args }, { name: 'read_file', args: { file_path: 'note.txt' } }, report);
    const response = contents.flatMap((content) => content.parts).find((part) => part.functionResponse)?.functionResponse;
    assert.equal(response?.name, 'read_file', report);
    assert.match(JSON.stringify(response.response), new RegExp(NOTE), "the file's content reached the upstream");
  });
});

test('the gateway saw nothing from Gemini CLI but those streamGenerateContent calls', () => {
  const expected = { 'gpt-4o': 1, 'gemini/gemini-3-pro-preview': 1, 'anthropic/claude-sonnet-4-5': 1, 'read-note': 2, 'gemini/gemini-2.5-flash': 2 };
  const counted: Record<string, number> = {};
  for (const call of calls) {
    const model = /^\/v1beta\/models\/(.+):streamGenerateContent\?alt=sse$/.exec(call.url)?.[1] ?? `${call.method} ${call.url}`;
    counted[model] = (counted[model] ?? 0) + 1;
  }
  assert.deepEqual(counted, expected);
});
