import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeContents } from '../../proxy/dialects/gemini/decode-contents.js';
import { makeToolCallId } from '../../proxy/dialects/gemini/decode-response.js';
import { MAX_TOOL_CALL_ID } from '../../proxy/pipeline/tool-call-id.js';

// Ids the gateway makes up for Gemini's id-less calls reach OpenAI-dialect models later in the same
// conversation (a fallback, a model switch, Gemini CLI over an OpenAI model), and OpenAI refuses an
// id over 40 characters ("string too long. Expected a string with maximum length 40"). A tool name
// of 10 characters or more made them longer.
const LONG_NAME = 'mcp__github__create_pull_request_review_comment';

test("an answer's made-up ids fit OpenAI's 40 characters, stay the same for the same call and differ between calls", () => {
  const responseId = 'm36LaZGyCLz1xs0PtNSB-QU';
  const ids = [0, 1].map((index) => makeToolCallId(responseId, 0, index, LONG_NAME));
  for (const id of ids) {
    assert.ok(id.length <= MAX_TOOL_CALL_ID, `${id} has ${id.length} characters`);
    assert.match(id, /^call_[A-Za-z0-9_-]+$/);
  }
  assert.notEqual(ids[0], ids[1]);
  assert.equal(makeToolCallId(responseId, 0, 0, LONG_NAME), ids[0]);
  // A short one stays readable, as before.
  assert.equal(makeToolCallId('r1', 0, 0, 'weather'), 'call_r1_0_weather');
});

test("a Gemini client's id-less calls and their responses get the same short ids", () => {
  const messages = decodeContents([
    { role: 'user', parts: [{ text: 'open a review comment' }] },
    { role: 'model', parts: [{ functionCall: { name: LONG_NAME, args: { body: 'x' } } }] },
    { role: 'user', parts: [{ functionResponse: { name: LONG_NAME, response: { ok: true } } }] },
  ]);
  const call = messages.find((message) => message.role === 'assistant')?.tool_calls?.[0];
  const result = messages.find((message) => message.role === 'tool');
  assert.ok(call && result, JSON.stringify(messages));
  assert.ok(call.id.length <= MAX_TOOL_CALL_ID, `${call.id} has ${call.id.length} characters`);
  assert.equal(result.tool_call_id, call.id);
});
