import { crc32, deflateSync } from 'node:zlib';
import type { ServerResponse } from 'node:http';
import { FakeUpstream, sendJson } from '../support/fake-upstream.js';

/** A small real PNG (solid colour), so the view shows an actual image. */
export const tinyPng = (width = 48, height = 48): Buffer => {
  const chunk = (type: string, data: Buffer): Buffer => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body) >>> 0);
    return Buffer.concat([length, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // RGB
  const row = Buffer.concat([Buffer.from([0]), Buffer.alloc(width * 3, 0)]);
  for (let x = 0; x < width; x += 1) row.set([40, 140, 220], 1 + x * 3);
  const pixels = Buffer.concat(Array.from({ length: height }, () => row));
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', header), chunk('IDAT', deflateSync(pixels)), chunk('IEND', Buffer.alloc(0))]);
};

const chunk = (model: string, delta: Record<string, unknown>, finish: string | null = null): string =>
  `data: ${JSON.stringify({ id: 'chatcmpl-e2e', object: 'chat.completion.chunk', created: 1, model, choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;

export const ANSWERS: Record<string, string> = {
  'gpt-4o': 'Here is a function:\n\n```typescript\nexport const add = (a: number, b: number): number => a + b;\n```\n\nIt adds **two** numbers.',
  'claude-sonnet-4-5': 'Another view: use `a + b`.\n\n```python\ndef add(a, b):\n    return a + b\n```',
  'evil-model': [
    'Danger: <script>window.__pwned = "script"</script>',
    '<img src=x onerror="window.__pwned = \'img\'">',
    '[click me](javascript:window.__pwned=\'link\')',
    '<a href="javascript:window.__pwned=\'raw\'">raw link</a>',
    '<iframe src="javascript:parent.__pwned=\'iframe\'"></iframe>',
    '<svg onload="window.__pwned=\'svg\'"></svg>',
    '<div onclick="window.__pwned=\'div\'">raw html</div>',
  ].join('\n\n'),
};

/** Streams an answer in small pieces with a pause between them. */
const streamAnswer = async (response: ServerResponse, model: string, text: string, delayMs: number): Promise<void> => {
  response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  response.write(chunk(model, { role: 'assistant', content: '' }));
  const pieces = text.match(/[\s\S]{1,6}/g) ?? [];
  for (const piece of pieces) {
    if (response.destroyed) return;
    response.write(chunk(model, { content: piece }));
    await new Promise((resolve) => setTimeout(resolve, delayMs));
  }
  response.write(chunk(model, {}, 'stop'));
  response.write(`data: ${JSON.stringify({ id: 'chatcmpl-e2e', object: 'chat.completion.chunk', created: 1, model, choices: [], usage: { prompt_tokens: 12, completion_tokens: pieces.length, total_tokens: 12 + pieces.length } })}\n\n`);
  response.end('data: [DONE]\n\n');
};

export const MODEL_IDS = ['gpt-4o', 'claude-sonnet-4-5', 'slow-model', 'evil-model', 'gpt-image-1', 'text-embedding-3-small'];

/** The fake upstream the chat view's e2e test talks to (127.0.0.1): a model list (with `extraModels`
 * after the known ones, to make a catalog of hundreds), streamed chat answers by model (one slow
 * enough to stop, one malicious), and an image model. */
export const startChatUpstream = (extraModels: readonly string[] = []): Promise<FakeUpstream> =>
  new FakeUpstream()
    .on('GET /v1/models', (_request, response) => sendJson(response, 200, { object: 'list', data: [...MODEL_IDS, ...extraModels].map((id) => ({ id, object: 'model', owned_by: 'e2e' })) }))
    .on('POST /v1/chat/completions', async (request, response) => {
      const model = String(request.json().model);
      if (model === 'slow-model') return streamAnswer(response, model, 'This answer streams slowly, word by word, so that it can be stopped halfway. '.repeat(20), 120);
      await streamAnswer(response, model, ANSWERS[model] ?? 'Hello from the fake upstream.', 60);
    })
    .on('POST /v1/images/generations', (_request, response) => sendJson(response, 200, { created: 1, data: [{ b64_json: tinyPng().toString('base64'), revised_prompt: 'a blue square' }], usage: { input_tokens: 5, output_tokens: 0 } }))
    .start();
