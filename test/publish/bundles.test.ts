import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { build, type BuildOptions } from 'esbuild';
import OpenAI, { toFile } from 'openai';
import { FakeUpstream, sendEvents, sendJson } from '../support/fake-upstream.js';
import { parseSeenMultipart } from '../gateway/harness.js';
import { measureBundles, sizeTable } from './bundle-sizes.js';

/** The release bundles, built minified as `npm run package` builds them: their sizes against the
 * limits, and the bundled gateway (with esbuild.js's stand-ins for what express loads but the
 * gateway never runs, and its reduced undici) answering through express, undici's Agent and its
 * FormData, in its own process. */
const KEY = 'sk-bundle-test-upstream-0123456789';
const TOKEN = 'mk-local-bundle-test-token-0123456789abcdef';
const AUDIO = Buffer.from(Array.from({ length: 3000 }, (_, index) => index % 251));

let dist: string;
let upstream: FakeUpstream;
let gateway: ChildProcess | undefined;
let client: OpenAI;
let gatewayUrl = '';

before(async () => {
  dist = mkdtempSync(join(tmpdir(), 'modapi-bundles-'));
  const { builds } = createRequire(import.meta.url)('../../esbuild.js') as { builds: (options: { minified: boolean; dist: string }) => BuildOptions[] };
  await Promise.all(builds({ minified: true, dist }).map((options) => build({ ...options, logLevel: 'silent' })));
  upstream = await new FakeUpstream()
    .on('GET /v1/models', (_request, response) => sendJson(response, 200, { object: 'list', data: [{ id: 'gpt-4o-mini', object: 'model', created: 1, owned_by: 'fake' }] }))
    .on('POST /v1/chat/completions', (_request, response) =>
      sendEvents(response, [
        `data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'gpt-4o-mini', choices: [{ index: 0, delta: { role: 'assistant', content: 'Hello' }, finish_reason: null }] })}\n\n`,
        `data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'gpt-4o-mini', choices: [{ index: 0, delta: {}, finish_reason: 'stop' }], usage: { prompt_tokens: 3, completion_tokens: 1, total_tokens: 4 } })}\n\n`,
        'data: [DONE]\n\n',
      ]))
    .on('POST /v1/audio/transcriptions', (_request, response) => sendJson(response, 200, { text: 'transcribed' }))
    .start();
  const env = { PATH: process.env.PATH, HOME: dist, MODAPI_API_KEY: KEY, MODAPI_BASE_URL: upstream.url(), OPENAI_API_KEY: KEY, OPENAI_BASE_URL: upstream.url() };
  const child = spawn(process.execPath, [join(dist, 'cli.js'), '--port', '0', '--token', TOKEN, '--ledger', join(dist, 'ledger')], { cwd: dist, env, stdio: ['ignore', 'pipe', 'pipe'] });
  gateway = child;
  let printed = '';
  gatewayUrl = await new Promise<string>((resolve, reject) => {
    child.stdout!.setEncoding('utf8').on('data', (text: string) => {
      printed += text;
      const match = /listening on (http:\/\/127\.0\.0\.1:\d+\/v1)/.exec(printed);
      if (match) resolve(match[1]!);
    });
    child.stderr!.setEncoding('utf8').on('data', (text: string) => (printed += text));
    child.once('exit', (code) => reject(new Error(`the bundled gateway exited (${code}): ${printed}`)));
  });
  client = new OpenAI({ baseURL: gatewayUrl, apiKey: TOKEN, maxRetries: 0, timeout: 15_000 });
}, { timeout: 180_000 });

after(async () => {
  if (gateway?.exitCode === null) {
    const exited = new Promise((resolve) => gateway!.once('exit', resolve));
    gateway.kill('SIGTERM');
    await exited;
  }
  await upstream?.close();
  if (dist) rmSync(dist, { recursive: true, force: true });
});

test('the minified bundles stay within their limits (the extension\'s code <= 800 KB, the chat view\'s script <= 150 KB)', () => {
  const measured = measureBundles(dist);
  console.log(`bundle sizes (minified, as packaged):\n${sizeTable(measured)}`);
  for (const entry of measured) assert.ok(!entry.over, `${entry.label}: ${entry.bytes} bytes, limit ${entry.limit}`);
});

test('the bundled gateway answers express routes with JSON content types, and its errors in OpenAI shape', async () => {
  const health = await fetch(gatewayUrl.replace(/\/v1$/, '/health'));
  assert.equal(health.headers.get('content-type'), 'application/json; charset=utf-8');
  assert.equal(((await health.json()) as { status: string }).status, 'ok');
  assert.ok((await client.models.list()).data.some((model) => model.id === 'gpt-4o-mini'));
  const missing = await fetch(`${gatewayUrl}/no-such-endpoint`, { headers: { authorization: `Bearer ${TOKEN}` } });
  assert.equal(missing.status, 404);
  assert.match(((await missing.json()) as { error: { message: string } }).error.message, /Unknown endpoint/);
});

test('the bundled gateway streams a chat answer through undici', async () => {
  const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], stream: true });
  let text = '';
  for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
  assert.equal(text, 'Hello');
  assert.equal(upstream.last().headers.authorization, `Bearer ${KEY}`);
});

test('the bundled gateway rebuilds an upload with undici FormData when the model id changes', async () => {
  const answer = await client.audio.transcriptions.create({ model: 'openai/whisper-1', file: await toFile(AUDIO, 'speech.mp3', { type: 'audio/mpeg' }) });
  assert.equal(answer.text, 'transcribed');
  const seen = await parseSeenMultipart(upstream.last());
  assert.equal(seen.fields.model, 'whisper-1');
  assert.equal(seen.files.length, 1);
  assert.ok(seen.files[0]!.data.equals(AUDIO), 'the file bytes arrive unchanged');
});
