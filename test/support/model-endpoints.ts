import type { RunningGateway } from '../../proxy/server/gateway-server.js';

/** Every endpoint that names a model, with a body naming `model`, and the error shape it answers
 * in. A new model endpoint belongs here: the model id cap and governance tests run over it. */
export const MODEL_ENDPOINTS: { path: string; shape: 'openai' | 'anthropic'; body: (model: string) => FormData | string }[] = [
  { path: '/chat/completions', shape: 'openai', body: (model) => JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] }) },
  { path: '/completions', shape: 'openai', body: (model) => JSON.stringify({ model, prompt: 'hi' }) },
  { path: '/embeddings', shape: 'openai', body: (model) => JSON.stringify({ model, input: 'hi' }) },
  { path: '/images/generations', shape: 'openai', body: (model) => JSON.stringify({ model, prompt: 'a cat' }) },
  { path: '/images/edits', shape: 'openai', body: (model) => form(model, 'image', 'image/png') },
  { path: '/audio/speech', shape: 'openai', body: (model) => JSON.stringify({ model, input: 'hi', voice: 'alloy' }) },
  { path: '/audio/transcriptions', shape: 'openai', body: (model) => form(model, 'file', 'audio/wav') },
  { path: '/audio/translations', shape: 'openai', body: (model) => form(model, 'file', 'audio/wav') },
  { path: '/videos', shape: 'openai', body: (model) => JSON.stringify({ model, prompt: 'a cat' }) },
  { path: '/messages', shape: 'anthropic', body: (model) => JSON.stringify({ model, max_tokens: 16, messages: [{ role: 'user', content: 'hi' }] }) },
  { path: '/messages/count_tokens', shape: 'anthropic', body: (model) => JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] }) },
];

const form = (model: string, fileField: string, mimeType: string): FormData => {
  const body = new FormData();
  body.append('model', model);
  body.append('prompt', 'hi');
  body.append(fileField, new Blob([new Uint8Array(64)], { type: mimeType }), 'upload.bin');
  return body;
};

/** POSTs one of the bodies above to the gateway with a local token. */
export const postModelRequest = (gateway: RunningGateway, secret: string, path: string, body: FormData | string): Promise<Response> =>
  fetch(`${gateway.url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${secret}`, ...(typeof body === 'string' ? { 'content-type': 'application/json' } : {}) },
    body,
  });
