import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { runAnswer } from '../../extension/chat/answer-runner.js';
import type { ConversationStore } from '../../extension/chat/conversation-store.js';
import type { AssistantTurn, ModelMode } from '../../extension/chat/protocol.js';
import { FakeUpstream, sendJson } from '../support/fake-upstream.js';
import { TEST_KEY } from '../support/gateway.js';
import { inProcessGateway } from './in-process-gateway.js';

// The chat view shows an answer's error and saves it with the conversation: an upstream that echoes
// the key (OpenAI's "Incorrect API key provided: sk-...") must reach neither, on every mode. Chat
// was redacted; image, speech, transcription and video calls returned the upstream's words as they
// came.
const ECHOED = { error: { message: `Incorrect API key provided: ${TEST_KEY}. You can find your API key in your account.`, type: 'invalid_request_error', param: null, code: 'invalid_api_key' } };

let upstream: FakeUpstream;
let failVideoLater = false;

before(async () => {
  upstream = await new FakeUpstream()
    .on('POST /v1/chat/completions', (_request, response) => sendJson(response, 401, ECHOED))
    .on('POST /v1/images/generations', (_request, response) => sendJson(response, 401, ECHOED))
    .on('POST /v1/audio/speech', (_request, response) => sendJson(response, 401, ECHOED))
    .on('POST /v1/audio/transcriptions', (_request, response) => sendJson(response, 401, ECHOED))
    .on('POST /v1/videos', (_request, response) => (failVideoLater ? sendJson(response, 200, { id: 'video_9', status: 'queued', progress: 0, seconds: '4' }) : sendJson(response, 401, ECHOED)))
    // A job that fails after its creation was recorded: its message comes from a 200 body.
    .on('GET /v1/videos/video_9', (_request, response) => sendJson(response, 200, { id: 'video_9', status: 'failed', error: { message: `quota for key ${TEST_KEY} exhausted` } }))
    .start();
});

after(() => upstream.close());

const answerFor = async (mode: ModelMode, model: string): Promise<AssistantTurn> => {
  const { gateway } = inProcessGateway({ modapi: { baseUrl: upstream.url(), apiKey: TEST_KEY } });
  // As startGateway does: the configured keys are secrets to every output.
  gateway.redactor.addSecret(TEST_KEY);
  const answer: AssistantTurn = { role: 'assistant', id: 'a1', model, mode, status: 'streaming', text: '' };
  const input = { messages: [{ role: 'user' as const, content: 'hi' }], prompt: 'a cat', audio: mode === 'transcription' ? { kind: 'audio' as const, name: 'clip.wav', mimeType: 'audio/wav', base64: Buffer.from('RIFF....WAVE').toString('base64') } : undefined };
  await runAnswer(gateway, {} as ConversationStore, answer, input as never, new AbortController().signal, { delta: () => undefined, changed: () => undefined });
  return answer;
};

const cases: [ModelMode, string][] = [
  ['chat', 'gpt-4o'],
  ['image', 'gpt-image-1'],
  ['speech', 'tts-1'],
  ['transcription', 'whisper-1'],
  ['video', 'sora-2'],
];

for (const [mode, model] of cases) {
  test(`an upstream error that echoes the key reaches the chat view redacted: ${mode}`, async () => {
    failVideoLater = false;
    const answer = await answerFor(mode, model);
    assert.equal(answer.status, 'error', JSON.stringify(answer));
    assert.ok(answer.error, 'the answer carries its error');
    assert.ok(!JSON.stringify(answer).includes(TEST_KEY), `the key is in the answer: ${JSON.stringify(answer.error)}`);
    assert.match(answer.error.message, /Incorrect API key provided: \[redacted\]/);
  });
}

test('a video job that fails after its record: its upstream message reaches the chat view redacted', async () => {
  failVideoLater = true;
  const { gateway } = inProcessGateway({ modapi: { baseUrl: upstream.url(), apiKey: TEST_KEY } });
  gateway.redactor.addSecret(TEST_KEY);
  const answer: AssistantTurn = { role: 'assistant', id: 'a2', model: 'sora-2', mode: 'video', status: 'streaming', text: '' };
  // The chat view polls every 5 s: the job fails on its first poll.
  await runAnswer(gateway, {} as ConversationStore, answer, { messages: [], prompt: 'waves' } as never, new AbortController().signal, { delta: () => undefined, changed: () => undefined });
  assert.equal(answer.status, 'error');
  assert.ok(!JSON.stringify(answer).includes(TEST_KEY), `the key is in the answer: ${JSON.stringify(answer.error)}`);
  assert.match(answer.error!.message, /quota for key \[redacted\] exhausted/);
});
