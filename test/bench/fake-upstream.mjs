// The bench's upstream: a fast OpenAI-like server on 127.0.0.1 (node:http, canned answers), run as
// its own process so that its CPU does not share an event loop with the load generator.
// Model ids steer it: `bench-pace-N` streams 50 chunks N ms apart (0 = as fast as possible); the
// Anthropic and Gemini paths and the ids of dialect-upstream.mjs are answered there.
import { createServer } from 'node:http';
import { answerOtherDialects, bodyWanted } from './dialect-upstream.mjs';

const COMPLETION = JSON.stringify({
  id: 'chatcmpl-bench',
  object: 'chat.completion',
  created: 1_700_000_000,
  model: 'bench-model',
  choices: [{ index: 0, message: { role: 'assistant', content: 'Hello! How can I help you today?' }, finish_reason: 'stop' }],
  usage: { prompt_tokens: 12, completion_tokens: 9, total_tokens: 21 },
});
const STREAM_CHUNKS = 50;
// Each chunk's id carries the moment it was written (process.hrtime is CLOCK_MONOTONIC, the same
// clock in every process here), so the bench sees how long each chunk took to reach the client.
const chunk = (index) =>
  `data: {"id":"chatcmpl-${Number(process.hrtime.bigint()) / 1e6}","object":"chat.completion.chunk","created":1700000000,"model":"bench-model","choices":[{"index":0,"delta":{"content":"token${index} "},"finish_reason":null}]}\n\n`;
const USAGE_CHUNK =
  'data: {"id":"chatcmpl-bench","object":"chat.completion.chunk","created":1700000000,"model":"bench-model","choices":[],"usage":{"prompt_tokens":12,"completion_tokens":50,"total_tokens":62}}\n\n';
const TRANSCRIPTION = JSON.stringify({ text: 'hello from the bench', usage: { type: 'duration', seconds: 3 } });
const HEAD_BYTES = 512;
const PACE = /"model"\s*:\s*"bench-pace-(\d+)"/;

const streamAnswer = (response, paceMs) => {
  response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  let index = 0;
  const next = () => {
    if (response.destroyed) return;
    if (index < STREAM_CHUNKS) {
      response.write(chunk(index));
      index += 1;
      if (paceMs > 0) setTimeout(next, paceMs);
      else setImmediate(next);
      return;
    }
    response.write(USAGE_CHUNK);
    response.end('data: [DONE]\n\n');
  };
  next();
};

const server = createServer({ keepAliveTimeout: 120_000, requestTimeout: 0 }, (request, response) => {
  const chunks = [];
  let kept = 0;
  request.on('data', (data) => {
    // Only the start of a chat body is looked at (enough for `model` and `stream` in the bench's
    // bodies), so only that is kept: joining a whole 1 MB prompt would put the upstream's own
    // allocation and page faults into the direct column of the 1 MB prompt row.
    if (kept < HEAD_BYTES && (request.url.endsWith('/chat/completions') || bodyWanted(request.url))) {
      chunks.push(data);
      kept += data.length;
    }
  });
  request.on('end', () => {
    const head = Buffer.concat(chunks).subarray(0, HEAD_BYTES).toString('latin1');
    if (answerOtherDialects(request, response, head)) return;
    if (request.url.endsWith('/audio/transcriptions')) {
      response.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(TRANSCRIPTION) });
      response.end(TRANSCRIPTION);
      return;
    }
    if (!request.url.endsWith('/chat/completions')) {
      response.writeHead(404, { 'content-type': 'application/json' });
      response.end('{"error":{"message":"no such route","type":"invalid_request_error","param":null,"code":null}}');
      return;
    }
    const pace = PACE.exec(head);
    if (pace && /"stream"\s*:\s*true/.test(head)) {
      streamAnswer(response, Number(pace[1]));
      return;
    }
    response.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(COMPLETION) });
    response.end(COMPLETION);
  });
});
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`fake upstream listening on ${server.address().port}\n`);
});
process.on('SIGTERM', () => process.exit(0));
