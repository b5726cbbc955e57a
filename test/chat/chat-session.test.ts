import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ChatSession } from '../../extension/chat/chat-session.js';
import { ConversationStore } from '../../extension/chat/conversation-store.js';
import type { AssistantTurn, HostMessage, ModelOption } from '../../extension/chat/protocol.js';
import { silentLogger } from '../../proxy/logger.js';
import { FakeUpstream, sendEvents, sendJson } from '../support/fake-upstream.js';
import { fixtureEvents, fixtureJson } from '../support/fixtures.js';
import { TEST_KEY } from '../support/gateway.js';
import { inProcessGateway } from './in-process-gateway.js';

const STREAM = 'openai/chat-stream-text-include-usage-gpt-4o.openai-python.sse';
const MODELS: ModelOption[] = [
  { id: 'gpt-4o', name: 'GPT-4o', provider: 'modapi', modalities: ['text', 'vision'] },
  { id: 'gpt-4o-slow', name: 'slow', provider: 'modapi', modalities: ['text'] },
  { id: 'claude-sonnet-4-5', name: 'Claude', provider: 'modapi', modalities: ['text', 'vision'] },
  { id: 'gpt-image-1', name: 'GPT Image 1', provider: 'modapi', modalities: ['image'] },
  { id: 'tts-1', name: 'TTS 1', provider: 'modapi', modalities: ['audio-speech'] },
  { id: 'whisper-1', name: 'Whisper', provider: 'modapi', modalities: ['audio-transcription'] },
];

let upstream: FakeUpstream;
let directory: string;

before(async () => {
  directory = await mkdtemp(join(tmpdir(), 'modapi-chat-session-'));
  upstream = await new FakeUpstream()
    .on('POST /v1/chat/completions', async (request, response) => {
      if (request.json().model === 'claude-down') return sendJson(response, 503, { error: { message: 'overloaded', type: 'server_error', param: null, code: null } });
      await sendEvents(response, fixtureEvents(STREAM), request.json().model === 'gpt-4o-slow' ? 30 : 0);
    })
    .on('POST /v1/images/generations', (_request, response) => sendJson(response, 200, fixtureJson('openai/images-generations-b64-revised-prompt.vercel.json')))
    .on('POST /v1/audio/speech', (_request, response) => {
      response.writeHead(200, { 'content-type': 'audio/mpeg' });
      response.end(Buffer.from([0xff, 0xfb, 0x90, 0x00]));
    })
    .on('POST /v1/audio/transcriptions', (_request, response) => sendJson(response, 200, fixtureJson('openai/audio-transcriptions-json-usage-tokens.openapi-example.json')))
    .start();
});

after(async () => {
  await upstream.close();
  await rm(directory, { recursive: true, force: true });
});

const setup = (name: string) => {
  const { gateway, records } = inProcessGateway({ modapi: { baseUrl: upstream.url(), apiKey: TEST_KEY } });
  const posted: HostMessage[] = [];
  const store = new ConversationStore(join(directory, name));
  const session = new ChatSession(store, { post: (message) => posted.push(message), gatewayContext: async () => gateway, models: async () => MODELS, withMedia: async (value) => value, log: silentLogger }, 'gpt-4o');
  return { session, store, posted, records, gateway };
};

const answersOf = (session: ChatSession): AssistantTurn[] => session.conversation.turns.flatMap((turn) => (turn.role === 'assistant' ? [turn] : turn.role === 'compare' ? turn.answers : []));

test('send streams the answer as deltas, then the finished answer with its figures, and saves the conversation', async () => {
  const { session, store, posted, records } = setup('send');
  await session.send('Say something', [], 'gpt-4o');
  const answer = answersOf(session)[0]!;
  assert.equal(answer.status, 'done');
  const deltas = posted.filter((message) => message.type === 'answer-delta').map((message) => (message.type === 'answer-delta' ? message.text : ''));
  assert.ok(deltas.length > 5);
  assert.equal(deltas.join(''), answer.text);
  assert.equal(answer.metrics?.promptTokens, 14);
  assert.equal(answer.metrics?.completionTokens, 30);
  assert.equal(answer.metrics?.costUsd, records[0]!.costUsd);
  assert.equal(records[0]!.client, 'chat-view');
  assert.equal(session.conversation.title, 'Say something');
  assert.deepEqual((await store.list()).map((entry) => entry.id), [session.conversation.id]);
  assert.deepEqual(upstream.last().json().messages, [{ role: 'user', content: 'Say something' }]);
});

test('the next prompt carries the conversation so far, with attachments as context and vision input', async () => {
  const { session } = setup('history');
  await session.send('first', [], 'gpt-4o');
  const firstAnswer = answersOf(session)[0]!.text;
  await session.send('and this?', [{ kind: 'selection', name: 'a.ts:1-1', language: 'typescript', text: 'const a = 1;' }, { kind: 'image', name: 'p.png', dataUrl: 'data:image/png;base64,iVBORw0KGgo=' }], 'gpt-4o');
  const messages = upstream.last().json().messages;
  assert.equal(messages.length, 3);
  assert.deepEqual(messages[1], { role: 'assistant', content: firstAnswer });
  assert.equal(messages[2].content[0].type, 'text');
  assert.match(messages[2].content[0].text, /Selected code from a\.ts:1-1:\n```typescript\nconst a = 1;\n```\n\nand this\?/);
  assert.deepEqual(messages[2].content[1], { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } });
});

test('stop ends a streaming answer as stopped, keeping what arrived', async () => {
  const { session, records } = setup('stop');
  const sending = session.send('slowly', [], 'gpt-4o-slow');
  while (!answersOf(session)[0]?.text) await new Promise((resolve) => setTimeout(resolve, 5));
  session.stop();
  await sending;
  const answer = answersOf(session)[0]!;
  assert.equal(answer.status, 'stopped');
  assert.ok(answer.text.length > 0);
  assert.equal(records.length, 1);
});

test('regenerate replaces the answer and drops what came after it', async () => {
  const { session } = setup('regenerate');
  await session.send('one', [], 'gpt-4o');
  await session.send('two', [], 'gpt-4o');
  const firstAnswer = answersOf(session)[0]!;
  await session.regenerate(firstAnswer.id);
  assert.equal(session.conversation.turns.length, 2);
  const fresh = answersOf(session)[0]!;
  assert.notEqual(fresh.id, firstAnswer.id);
  assert.equal(fresh.status, 'done');
  assert.deepEqual(upstream.last().json().messages, [{ role: 'user', content: 'one' }]);
});

test('editing a sent message resends it and drops the later turns', async () => {
  const { session } = setup('edit');
  await session.send('one', [], 'gpt-4o');
  await session.send('two', [], 'gpt-4o');
  const firstTurn = session.conversation.turns[0]!;
  await session.edit(firstTurn.id, 'one, edited', 'claude-sonnet-4-5');
  assert.equal(session.conversation.turns.length, 2);
  assert.equal(upstream.last().json().model, 'claude-sonnet-4-5');
  assert.deepEqual(upstream.last().json().messages, [{ role: 'user', content: 'one, edited' }]);
  assert.equal(answersOf(session)[0]!.model, 'claude-sonnet-4-5');
});

test('compare asks every model at once; choosing one continues with it and its answer', async () => {
  const { session, records } = setup('compare');
  await session.compare('Which is best?', [], ['gpt-4o', 'claude-sonnet-4-5']);
  const turn = session.conversation.turns[1]!;
  assert.equal(turn.role, 'compare');
  if (turn.role !== 'compare') return;
  assert.deepEqual(turn.answers.map((answer) => [answer.model, answer.status]), [['gpt-4o', 'done'], ['claude-sonnet-4-5', 'done']]);
  assert.ok(turn.answers.every((answer) => answer.metrics && answer.metrics.completionTokens === 30));
  assert.equal(records.length, 2);
  const chosen = turn.answers[1]!;
  assert.equal(await session.choose(turn.id, chosen.id), 'claude-sonnet-4-5');
  await session.send('go on', [], session.conversation.model);
  const body = upstream.last().json();
  assert.equal(body.model, 'claude-sonnet-4-5');
  assert.deepEqual(body.messages.map((message: { role: string }) => message.role), ['user', 'assistant', 'user']);
  assert.equal(body.messages[1].content, chosen.text);
});

test('an image model answers with a stored image instead of text', async () => {
  const { session, store } = setup('image');
  await session.send('an otter', [], 'gpt-image-1');
  const answer = answersOf(session)[0]!;
  assert.equal(answer.mode, 'image');
  assert.equal(answer.status, 'done');
  assert.equal(answer.media?.[0]?.kind, 'image');
  assert.equal(answer.media?.[0]?.mimeType, 'image/png');
  const bytes = await store.readMedia(answer.media![0]!.file);
  assert.equal(bytes?.subarray(1, 4).toString('latin1'), 'PNG');
  assert.equal(upstream.last().json().prompt, 'an otter');
});

test('a failed answer is shown inline with its error, and retry asks again', async () => {
  const { session } = setup('error');
  await session.send('hi', [], 'nowhere/model');
  const failed = answersOf(session)[0]!;
  assert.equal(failed.status, 'error');
  assert.match(failed.error?.message ?? '', /does not exist/);
  assert.equal(failed.error?.code, 'model_not_found');
});

test('a speech model answers with stored audio of the prompt', async () => {
  const { session, store } = setup('speech');
  await session.send('Read this aloud', [], 'tts-1');
  const answer = answersOf(session)[0]!;
  assert.equal(answer.mode, 'speech');
  assert.deepEqual(answer.media?.map((item) => [item.kind, item.mimeType]), [['audio', 'audio/mpeg']]);
  assert.deepEqual([...(await store.readMedia(answer.media![0]!.file))!], [0xff, 0xfb, 0x90, 0x00]);
  assert.equal(upstream.last().json().input, 'Read this aloud');
});

test('a transcription model takes the attached audio file and answers with its text', async () => {
  const { session } = setup('transcription');
  const recorded = fixtureJson('openai/audio-transcriptions-json-usage-tokens.openapi-example.json');
  await session.send('', [{ kind: 'audio', name: 'clip.wav', mimeType: 'audio/wav', base64: Buffer.from('RIFF....WAVE').toString('base64') }], 'whisper-1');
  const answer = answersOf(session)[0]!;
  assert.equal(answer.status, 'done');
  assert.equal(answer.text, recorded.text);
  assert.match(upstream.last().body.toString('latin1'), /filename="clip.wav"[\s\S]*RIFF....WAVE/);
});

test('a transcription model without an audio file says what to attach', async () => {
  const { session } = setup('transcription-missing');
  await session.send('no file', [], 'whisper-1');
  const answer = answersOf(session)[0]!;
  assert.equal(answer.status, 'error');
  assert.match(answer.error?.message ?? '', /Attach an audio file/);
});

test('a fallback answering instead is noted on the answer', async () => {
  const { session, records, gateway } = setup('fallback');
  gateway.fallbacks = { 'claude-down': ['gpt-4o'] };
  await session.send('hi', [], 'claude-down');
  const answer = answersOf(session)[0]!;
  assert.equal(answer.status, 'done');
  assert.match(answer.notes?.[0] ?? '', /claude-down failed \(HTTP 503\); answered by the fallback gpt-4o/);
  assert.equal(records[0]!.model, 'gpt-4o');
});
