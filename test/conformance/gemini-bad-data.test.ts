import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import OpenAI from 'openai';
import { fixtureText } from '../support/fixtures.js';
import { collectCompletion, collectStream, startConformanceHarness, type ConformanceHarness } from './support.js';

/** Bad upstream data gives the client a clean error or a clean finish, and the gateway keeps
 * serving. The broken streams are cut or edited from a real recording. */

const RECORDED = 'gemini/stream-text-thoughts-token-count.vercel.jsonl';
const recordedLines = fixtureText(RECORDED).split('\n').filter((line) => line.trim());
const recordedChunks = recordedLines.map((line) => JSON.parse(line));

let harness: ConformanceHarness;

before(async () => {
  harness = await startConformanceHarness('gemini');
});

after(async () => {
  await harness.close();
});

let served = 0;
const nextModel = () => `gemini-bad-${(served += 1)}`;

const serveRaw = (method: string, status: number, contentType: string, chunks: string[], destroy = false): string => {
  const model = nextModel();
  harness.upstream.on(`POST /v1beta/models/${model}:${method}`, async (_request, response) => {
    response.writeHead(status, { 'content-type': contentType });
    for (const chunk of chunks) {
      response.write(chunk);
      await new Promise((resolve) => setImmediate(resolve));
    }
    if (destroy) response.destroy();
    else response.end();
  });
  return model;
};

const streamOf = (model: string) =>
  harness.client.chat.completions.create({ model: `gemini/${model}`, stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'hi' }] });

const wholeOf = (model: string) => harness.client.chat.completions.create({ model: `gemini/${model}`, messages: [{ role: 'user', content: 'hi' }] });

const rejection = async (promise: Promise<unknown>): Promise<InstanceType<typeof OpenAI.APIError>> => {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof OpenAI.APIError, `expected an APIError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected an error');
};

const stillServing = async () => {
  const model = serveRaw('generateContent', 200, 'application/json', [JSON.stringify(recordedChunks[0])]);
  const answer = collectCompletion(await wholeOf(model));
  assert.equal(answer.text, recordedChunks[0].candidates[0].content.parts[0].text);
};

test('a stream cut in the middle of an event ends in an error event, after the text already sent', async () => {
  const cut = `data: ${recordedLines[1]}`.slice(0, 60);
  const model = serveRaw('streamGenerateContent', 200, 'text/event-stream', [`data: ${recordedLines[0]}\r\n\r\n`, cut]);
  const stream = await streamOf(model);
  let text = '';
  const error = await rejection(
    (async () => {
      for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    })(),
  );
  assert.equal(text, recordedChunks[0].candidates[0].content.parts[0].text);
  assert.match(error.message, /not JSON/);
  await stillServing();
});

test('a connection dropped mid-stream ends in an error event', async () => {
  const model = serveRaw('streamGenerateContent', 200, 'text/event-stream', [`data: ${recordedLines[0]}\r\n\r\n`], true);
  const stream = await streamOf(model);
  await rejection(
    (async () => {
      for await (const chunk of stream) void chunk;
    })(),
  );
  await stillServing();
});

test('a connection dropped mid-body of a whole answer is a 502', async () => {
  const model = serveRaw('generateContent', 200, 'application/json', [JSON.stringify(recordedChunks[0]).slice(0, 40)], true);
  const error = await rejection(wholeOf(model));
  assert.equal(error.status, 502);
  await stillServing();
});

test('a non-JSON error page is a clean error with the status kept', async () => {
  const page = '<!DOCTYPE html><html><body><h1>Error 502 (Server Error)!!1</h1></body></html>';
  for (const method of ['generateContent', 'streamGenerateContent']) {
    const model = serveRaw(method, 502, 'text/html; charset=UTF-8', [page]);
    const error = await rejection(method === 'generateContent' ? wholeOf(model) : streamOf(model));
    assert.equal(error.status, 502);
    assert.match(error.message, /Error 502/);
    assert.doesNotMatch(error.message, /<html/);
  }
});

test('a 200 body that is not JSON is a 502', async () => {
  const model = serveRaw('generateContent', 200, 'application/json', ['Service temporarily unavailable']);
  const error = await rejection(wholeOf(model));
  assert.equal(error.status, 502);
});

test('unknown fields and unknown part kinds are ignored', async () => {
  const edited = recordedChunks.map((chunk, index) => ({
    ...chunk,
    someFutureField: { nested: [1, 2, 3] },
    candidates: chunk.candidates.map((candidate: any) => ({
      ...candidate,
      groundingMetadata: { webSearchQueries: ['x'] },
      content: { ...candidate.content, parts: [...candidate.content.parts, ...(index === 0 ? [{ executableCode: { language: 'PYTHON', code: 'print(1)' } }, { inlineData: { mimeType: 'image/png', data: 'AAAA' } }] : [])] },
    })),
  }));
  const model = serveRaw('streamGenerateContent', 200, 'text/event-stream', edited.map((chunk) => `data: ${JSON.stringify(chunk)}\r\n\r\n`));
  const answer = await collectStream(await streamOf(model));
  const expectedText = recordedChunks.map((chunk) => chunk.candidates[0].content.parts.map((part: any) => part.text ?? '').join('')).join('');
  assert.equal(answer.text, expectedText);
  assert.equal(answer.finishReason, 'stop');
});

test('a stream that ends without a finishReason finishes cleanly, with the usage it had', async () => {
  const withoutFinish = recordedChunks.slice(0, 2);
  for (const chunk of withoutFinish) assert.equal(chunk.candidates[0].finishReason, undefined);
  const model = serveRaw('streamGenerateContent', 200, 'text/event-stream', withoutFinish.map((chunk) => `data: ${JSON.stringify(chunk)}\n\n`));
  const answer = await collectStream(await streamOf(model));
  assert.equal(answer.text, withoutFinish.map((chunk) => chunk.candidates[0].content.parts[0].text).join(''));
  assert.equal(answer.finishReason, 'stop');
  const usage = withoutFinish[1].usageMetadata;
  assert.equal(answer.usage?.prompt_tokens, usage.promptTokenCount);
  assert.equal(answer.usage?.completion_tokens, usage.candidatesTokenCount + usage.thoughtsTokenCount);
});

test('an empty stream finishes cleanly with no text', async () => {
  const model = serveRaw('streamGenerateContent', 200, 'text/event-stream', []);
  const answer = await collectStream(await streamOf(model));
  assert.deepEqual([answer.text, answer.finishReason], ['', 'stop']);
});

test('an error event inside a stream: before any text it keeps its status, after text it ends the stream', async () => {
  const errorEvent = `data: ${JSON.stringify({ error: { code: 503, message: 'The model is overloaded. Please try again later.', status: 'UNAVAILABLE' } })}\r\n\r\n`;
  const first = await rejection(streamOf(serveRaw('streamGenerateContent', 200, 'text/event-stream', [errorEvent])));
  assert.equal(first.status, 503);
  assert.equal(first.message.includes('overloaded'), true);
  const stream = await streamOf(serveRaw('streamGenerateContent', 200, 'text/event-stream', [`data: ${recordedLines[0]}\r\n\r\n`, errorEvent]));
  const later = await rejection(
    (async () => {
      for await (const chunk of stream) void chunk;
    })(),
  );
  assert.match(later.message, /overloaded/);
});

test('a stream answered as a JSON array of chunks (alt=sse ignored on the way) still decodes', async () => {
  const model = serveRaw('streamGenerateContent', 200, 'application/json; charset=UTF-8', [JSON.stringify(recordedChunks)]);
  const answer = await collectStream(await streamOf(model));
  const expectedText = recordedChunks.map((chunk) => chunk.candidates[0].content.parts.map((part: any) => part.text ?? '').join('')).join('');
  assert.equal(answer.text, expectedText);
  assert.equal(answer.usage?.prompt_tokens, recordedChunks.at(-1).usageMetadata.promptTokenCount);
});
