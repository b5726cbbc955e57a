import assert from 'node:assert/strict';
import { test } from 'node:test';
import { prepareOpenAIChatBody } from '../../proxy/dialects/openai-chat/encode-request.js';
import type { ChatRequest } from '../../proxy/adapters/types.js';
import type { ResolvedModel } from '../../proxy/providers/registry.js';
import { upstreamChatBody } from '../../proxy/dialects/openai-chat/encode-request.js';

const resolvedAs = (upstreamModel: string, streamUsageOption = true): ResolvedModel => ({
  provider: { id: 'p', dialect: 'openai', baseUrl: 'http://127.0.0.1:1/v1', keyOptional: false, keyHint: '', streamUsageOption },
  upstreamModel,
  requestedModel: upstreamModel,
});

const RAW_BODIES = [
  '{"model":"m","messages":[{"role":"user","content":"hi"}]}',
  ' \n{ "model" : "m", "messages": [{"role":"user","content":"caf\\u00e9 1e2"}], "temperature": 1.0 }\n',
  '{"model":"m","stream":true,"messages":[{"role":"user","content":"hi"}]}',
  '{"model":"m","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"x"}]}',
  '{"model":"m","stream":true,"stream_options":{"include_usage":false},"messages":[{"role":"user","content":"x"}]}',
  '{"model":"m","stream":true,"stream_options":null,"messages":[{"role":"user","content":"x"}]}',
  '{"model":"m","stream":true,"stream_options":{},"messages":[{"role":"user","content":"x"}]}',
  '{"model":"m","stream":false,"stream_options":{"include_usage":false},"messages":[{"role":"user","content":"x"}]}',
  '{"model":"alias","stream":true,"messages":[{"role":"user","content":"x"}]}',
];

test('the upstream body is the same JSON value as the re-serialised one, for every case', () => {
  for (const text of RAW_BODIES) {
    for (const usageOption of [true, false]) {
      const raw = Buffer.from(text, 'utf8');
      const body = JSON.parse(text) as ChatRequest;
      const resolved = resolvedAs('m', usageOption);
      const sent = upstreamChatBody(body, raw, resolved);
      const expected = JSON.parse(JSON.stringify(prepareOpenAIChatBody(body, resolved)));
      assert.deepEqual(JSON.parse(sent.toString()), expected, `${text} (stream usage option ${usageOption})`);
    }
  }
});

test('the client bytes go as they are when nothing changes; a renamed model is re-serialised', () => {
  const text = '{"model":"m","messages":[{"role":"user","content":"1.0e2"}],"big":12345678901234567890}';
  const raw = Buffer.from(text);
  assert.equal(upstreamChatBody(JSON.parse(text), raw, resolvedAs('m')), raw);
  const renamed = upstreamChatBody(JSON.parse(text), raw, resolvedAs('upstream-m'));
  assert.equal(typeof renamed, 'string');
  assert.equal(JSON.parse(renamed as string).model, 'upstream-m');
  const streamed = upstreamChatBody(JSON.parse('{"model":"m","stream":true,"messages":[]}'), Buffer.from('{"model":"m","stream":true,"messages":[]}'), resolvedAs('m'));
  assert.equal(streamed.toString(), '{"stream_options":{"include_usage":true},"model":"m","stream":true,"messages":[]}');
  // Without the raw bytes (another caller), the body is serialised as before.
  assert.equal(typeof upstreamChatBody(JSON.parse(text), undefined, resolvedAs('m')), 'string');
});
