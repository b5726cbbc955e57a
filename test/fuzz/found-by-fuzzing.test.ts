import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { sendJson } from '../support/fake-upstream.js';
import { fixtureJson } from '../support/fixtures.js';
import { FaultBench, send, type Answer } from '../faults/fault-harness.js';

// Each case here once broke the gateway (a crash, a 500 or a silently altered request); the fuzz
// run found them, these keep them fixed with a readable name.
const bench = new FaultBench();

before(async () => {
  // Every case here expects an answer: timeouts long enough that a loaded machine gives no 504.
  await bench.start({ headersMs: 2_000, bodyMs: 2_000 });
  bench.fault = (_request, response) => sendJson(response, 200, fixtureJson('openai/chat-completion-text-gpt-4-1-nano.vercel.json'));
});
after(() => bench.stop());

const chat = (body: string | Buffer): Promise<Answer> => send({ port: bench.gateway.port, path: '/v1/chat/completions', body });

test('a multipart upload cut inside its file part is a 400, not an uncaught error that ends the process', async () => {
  bench.mark();
  const boundary = 'cut-boundary';
  const body = `--${boundary}\r\ncontent-disposition: form-data; name="model"\r\n\r\nwhisper-1\r\n--${boundary}\r\ncontent-disposition: form-data; name="file"; filename="a.mp3"\r\ncontent-type: audio/mpeg\r\n\r\n${'a'.repeat(5_000)}`;
  const answer = await send({ port: bench.gateway.port, path: '/v1/audio/transcriptions', body, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } });
  assert.equal(answer.status, 400, answer.body);
  assert.equal(JSON.parse(answer.body).error.code, 'invalid_multipart');
  await bench.assertRecovered(0);
});

test('a body that is not UTF-8 is a 400, not forwarded with replacement characters', async () => {
  bench.mark();
  const body = Buffer.concat([Buffer.from('{"model":"gpt-4o","messages":[{"role":"user","content":"caf'), Buffer.from([0xe9]), Buffer.from('"}]}')]);
  const answer = await chat(body);
  assert.equal(answer.status, 400, answer.body);
  await bench.assertRecovered(0);
});

test('JSON nested 10,000 deep is a 400, not a stack overflow answered with 500', async () => {
  bench.mark();
  const answer = await chat(`{"model":"gpt-4o","messages":[{"role":"user","content":${'['.repeat(10_000)}${']'.repeat(10_000)}}]}`);
  assert.equal(answer.status, 400, answer.body);
  assert.match(JSON.parse(answer.body).error.message, /nested deeper/);
  await bench.assertRecovered(0);
});

test('JSON nested as deep as a real tool schema still goes through', async () => {
  bench.mark();
  let schema: Record<string, unknown> = { type: 'string' };
  for (let level = 0; level < 20; level += 1) schema = { type: 'object', properties: { inner: schema } };
  const answer = await chat(JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }], tools: [{ type: 'function', function: { name: 'deep', parameters: schema } }] }));
  assert.equal(answer.status, 200, answer.body);
  await bench.assertRecovered(1);
});

test('a model id outside ASCII is served, its x-modapi-model header encoded', async () => {
  bench.mark();
  const answer = await chat(JSON.stringify({ model: 'gpt-4ö\ufffd', messages: [{ role: 'user', content: 'hi' }] }));
  assert.equal(answer.status, 200, answer.body);
  assert.equal(decodeURIComponent(String(answer.headers['x-modapi-model'])), 'gpt-4ö\ufffd');
  // A lone surrogate, escaped in JSON: valid JSON, yet not encodable as it stands.
  const lone = await chat('{"model":"gpt-\\ud800","messages":[{"role":"user","content":"hi"}]}');
  assert.equal(lone.status, 200, lone.body);
  assert.equal(decodeURIComponent(String(lone.headers['x-modapi-model'])), 'gpt-\ufffd');
  await bench.assertRecovered(2);
});
