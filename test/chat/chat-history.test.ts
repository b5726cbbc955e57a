import assert from 'node:assert/strict';
import { test } from 'node:test';
import { toChatMessages, userContent } from '../../extension/chat/chat-history.js';
import type { Conversation } from '../../extension/chat/protocol.js';

test('an attached file holding a fence is wrapped in a longer fence, so it cannot end the block early', () => {
  const content = userContent({ role: 'user', id: 't', text: 'explain', attachments: [{ kind: 'file', name: 'README.md', language: 'markdown', text: 'a\n```js\nx\n```\nb' }] });
  assert.equal(content, 'File README.md:\n````markdown\na\n```js\nx\n```\nb\n````\n\nexplain');
});

test('the history keeps prompts and finished chat answers, and leaves out failed and media answers', () => {
  const conversation: Conversation = {
    id: 'chat_1', title: 't', model: 'gpt-4o', createdAt: '', updatedAt: '',
    turns: [
      { role: 'user', id: 'u1', text: 'one', attachments: [] },
      { role: 'assistant', id: 'a1', model: 'gpt-4o', mode: 'chat', status: 'error', text: '', error: { message: 'x', code: null } },
      { role: 'user', id: 'u2', text: 'draw', attachments: [] },
      { role: 'assistant', id: 'a2', model: 'gpt-image-1', mode: 'image', status: 'done', text: '', media: [{ kind: 'image', mimeType: 'image/png', file: 'media_1.png' }] },
      { role: 'user', id: 'u3', text: 'compare', attachments: [] },
      { role: 'compare', id: 'c1', chosen: 'b', answers: [
        { role: 'assistant', id: 'a', model: 'gpt-4o', mode: 'chat', status: 'done', text: 'from A' },
        { role: 'assistant', id: 'b', model: 'claude-sonnet-4-5', mode: 'chat', status: 'done', text: 'from B' },
      ] },
      { role: 'user', id: 'u4', text: 'stopped', attachments: [] },
      { role: 'assistant', id: 'a4', model: 'gpt-4o', mode: 'chat', status: 'stopped', text: 'half an answ' },
    ],
  };
  assert.deepEqual(toChatMessages(conversation), [
    { role: 'user', content: 'one' },
    { role: 'user', content: 'draw' },
    { role: 'user', content: 'compare' },
    { role: 'assistant', content: 'from B' },
    { role: 'user', content: 'stopped' },
    { role: 'assistant', content: 'half an answ' },
  ]);
  assert.deepEqual(toChatMessages(conversation, 2), [{ role: 'user', content: 'one' }]);
});
