// More answers of the bench's fake upstream (fake-upstream.mjs hands requests here first): the same
// canned conversation in Anthropic's and Gemini's formats besides OpenAI's, for the lanes that
// translate, and answers too large to hold, for the memory rows. Model ids steer it:
// - `bench-lane-pace-N`: 50 chunks N ms apart, each chunk's text carrying the moment it was written
//   (`@<ms>@`, CLOCK_MONOTONIC as in fake-upstream.mjs), so delays survive a translation;
// - `bench-huge`: an answer of HUGE_BYTES, streamed or whole (whole: no content-length, so a gateway
//   must count), written as fast as the reader takes it.
// Other ids on the Anthropic and Gemini paths get a short whole answer.

const HUGE_BYTES = 200 * 1024 * 1024;
const HUGE_TEXT = 'x'.repeat(4096);
const LANE_CHUNKS = 50;

/** Bytes written of the last huge answer (`GET /bench/offered`): how much a gateway let through. */
let offered = { bytes: 0, of: HUGE_BYTES, ended: false };

const stamp = () => `@${Number(process.hrtime.bigint()) / 1e6}@ `;

const OPENAI = {
  whole: (text) =>
    JSON.stringify({
      id: 'chatcmpl-bench',
      object: 'chat.completion',
      created: 1_700_000_000,
      model: 'bench-model',
      choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' }],
      usage: { prompt_tokens: 12, completion_tokens: 9, total_tokens: 21 },
    }),
  wholeOpening: '{"id":"chatcmpl-bench","object":"chat.completion","created":1700000000,"model":"bench-model","choices":[{"index":0,"message":{"role":"assistant","content":"',
  wholeClosing: '"},"finish_reason":"stop"}],"usage":{"prompt_tokens":12,"completion_tokens":9,"total_tokens":21}}',
  opening: '',
  chunk: (text) => `data: {"id":"chatcmpl-bench","object":"chat.completion.chunk","created":1700000000,"model":"bench-model","choices":[{"index":0,"delta":{"content":"${text}"},"finish_reason":null}]}\n\n`,
  closing:
    'data: {"id":"chatcmpl-bench","object":"chat.completion.chunk","created":1700000000,"model":"bench-model","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}\n\n' +
    'data: {"id":"chatcmpl-bench","object":"chat.completion.chunk","created":1700000000,"model":"bench-model","choices":[],"usage":{"prompt_tokens":12,"completion_tokens":50,"total_tokens":62}}\n\n' +
    'data: [DONE]\n\n',
};

const ANTHROPIC = {
  whole: (text) =>
    JSON.stringify({
      id: 'msg_bench',
      type: 'message',
      role: 'assistant',
      model: 'bench-model',
      content: [{ type: 'text', text }],
      stop_reason: 'end_turn',
      stop_sequence: null,
      usage: { input_tokens: 12, output_tokens: 9 },
    }),
  wholeOpening: '{"id":"msg_bench","type":"message","role":"assistant","model":"bench-model","content":[{"type":"text","text":"',
  wholeClosing: '"}],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":12,"output_tokens":9}}',
  opening:
    'event: message_start\ndata: {"type":"message_start","message":{"id":"msg_bench","type":"message","role":"assistant","model":"bench-model","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":12,"output_tokens":1}}}\n\n' +
    'event: content_block_start\ndata: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}\n\n',
  chunk: (text) => `event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"${text}"}}\n\n`,
  closing:
    'event: content_block_stop\ndata: {"type":"content_block_stop","index":0}\n\n' +
    'event: message_delta\ndata: {"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":50}}\n\n' +
    'event: message_stop\ndata: {"type":"message_stop"}\n\n',
};

const GEMINI_USAGE = '"usageMetadata":{"promptTokenCount":12,"candidatesTokenCount":50,"totalTokenCount":62}';
const GEMINI = {
  whole: (text) =>
    JSON.stringify({
      candidates: [{ content: { role: 'model', parts: [{ text }] }, finishReason: 'STOP', index: 0 }],
      usageMetadata: { promptTokenCount: 12, candidatesTokenCount: 9, totalTokenCount: 21 },
      modelVersion: 'bench-model',
    }),
  wholeOpening: '{"candidates":[{"content":{"role":"model","parts":[{"text":"',
  wholeClosing: `"}]},"finishReason":"STOP","index":0}],${GEMINI_USAGE},"modelVersion":"bench-model"}`,
  opening: '',
  chunk: (text) => `data: {"candidates":[{"content":{"role":"model","parts":[{"text":"${text}"}]},"index":0}],"modelVersion":"bench-model"}\r\n\r\n`,
  closing: `data: {"candidates":[{"content":{"role":"model","parts":[{"text":""}]},"finishReason":"STOP","index":0}],${GEMINI_USAGE},"modelVersion":"bench-model"}\r\n\r\n`,
};

/** Writes the pieces of `pieces` until they end or the reader leaves, waiting for `drain` whenever
 * the socket's buffer is full: the upstream offers as much as it is let to. */
const writePaced = (response, pieces, onWrite) => {
  const more = () => {
    while (!response.destroyed) {
      const { value, done } = pieces.next();
      if (done) {
        response.end();
        return;
      }
      onWrite(value.length);
      if (!response.write(value)) {
        response.once('drain', more);
        return;
      }
    }
  };
  more();
};

function* hugePieces(format, stream) {
  const opening = stream ? format.opening : format.wholeOpening;
  if (opening) yield opening;
  const piece = stream ? format.chunk(HUGE_TEXT) : HUGE_TEXT;
  for (let sent = 0; sent < HUGE_BYTES; sent += piece.length) yield piece;
  yield stream ? format.closing : format.wholeClosing;
}

const huge = (response, format, stream) => {
  const record = { bytes: 0, of: HUGE_BYTES, ended: false };
  offered = record;
  response.on('close', () => {
    record.ended = true;
  });
  response.writeHead(200, { 'content-type': stream ? 'text/event-stream' : 'application/json' });
  writePaced(response, hugePieces(format, stream), (bytes) => {
    record.bytes += bytes;
  });
};

const paced = (response, format, paceMs) => {
  response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  if (format.opening) response.write(format.opening);
  let index = 0;
  const next = () => {
    if (response.destroyed) return;
    if (index < LANE_CHUNKS) {
      response.write(format.chunk(`${stamp()}token${index}`));
      index += 1;
      if (paceMs > 0) setTimeout(next, paceMs);
      else setImmediate(next);
      return;
    }
    response.end(format.closing);
  };
  next();
};

const whole = (response, format) => {
  const text = format.whole('Hello! How can I help you today?');
  response.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  response.end(text);
};

const GEMINI_PATH = /^\/v1beta\/models\/([^/:]+):(generateContent|streamGenerateContent)/;
const MODEL = /"model"\s*:\s*"([^"]+)"/;
const STREAM = /"stream"\s*:\s*true/;

/** The request's dialect, model id and whether it asks for a stream; undefined for a path this
 * module does not serve. */
const requestOf = (request, head) => {
  const gemini = GEMINI_PATH.exec(request.url);
  if (gemini) return { format: GEMINI, model: decodeURIComponent(gemini[1]), stream: gemini[2] === 'streamGenerateContent' };
  const model = MODEL.exec(head)?.[1] ?? '';
  if (request.url.endsWith('/v1/messages')) return { format: ANTHROPIC, model, stream: STREAM.test(head) };
  if (request.url.endsWith('/chat/completions') && (model.startsWith('bench-lane-') || model === 'bench-huge')) return { format: OPENAI, model, stream: STREAM.test(head) };
  return undefined;
};

/** Answers the request if it is one of this module's; returns whether it did. `head` is the start
 * of the request body. */
export const answerOtherDialects = (request, response, head) => {
  if (request.method === 'GET' && request.url === '/bench/offered') {
    const text = JSON.stringify(offered);
    response.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    response.end(text);
    return true;
  }
  const asked = requestOf(request, head);
  if (!asked) return false;
  const pace = /^bench-lane-pace-(\d+)$/.exec(asked.model);
  if (asked.model === 'bench-huge') huge(response, asked.format, asked.stream);
  else if (pace && asked.stream) paced(response, asked.format, Number(pace[1]));
  else whole(response, asked.format);
  return true;
};

/** Whether a request's body is needed by answerOtherDialects (bodies are drained otherwise). */
export const bodyWanted = (url) => url.endsWith('/v1/messages');
