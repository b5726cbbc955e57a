import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseViewMessage } from '../../extension/chat/protocol.js';

const PNG = 'data:image/png;base64,iVBORw0KGgo=';

test('every message the webview may send is accepted in its exact shape', () => {
  const valid = [
    { type: 'ready' },
    { type: 'send', text: 'hi', attachments: [], model: 'gpt-4o' },
    { type: 'send', text: '', attachments: [{ kind: 'image', name: 'a.png', dataUrl: PNG }, { kind: 'selection', name: 'a.ts:1-2', language: 'typescript', text: 'x' }, { kind: 'audio', name: 'a.wav', mimeType: 'audio/wav', base64: 'UklGRg==' }], model: 'whisper-1' },
    { type: 'compare', text: 'hi', attachments: [], models: ['gpt-4o', 'claude-sonnet-4-5'] },
    { type: 'choose-answer', turnId: 'turn_1', answerId: 'answer_1' },
    { type: 'stop' },
    { type: 'regenerate', answerId: 'answer_1' },
    { type: 'edit', turnId: 'turn_1', text: 'again', model: 'gpt-4o' },
    { type: 'select-model', model: 'anthropic/claude-sonnet-4-5' },
    { type: 'request-attachment', source: 'selection' },
    { type: 'copy', text: 'x' },
    { type: 'insert-code', code: 'let a = 1;' },
    { type: 'open-code', code: 'let a = 1;', language: 'typescript' },
    { type: 'save-media', answerId: 'answer_1', index: 0 },
    { type: 'new-conversation' },
    { type: 'open-conversation', id: 'chat_1' },
    { type: 'rename-conversation', id: 'chat_1' },
    { type: 'delete-conversation', id: 'chat_1' },
    { type: 'refresh-models' },
    { type: 'rate', answerId: 'answer_1', rating: 'up' },
    { type: 'rate', answerId: 'answer_1', rating: 'down' },
    { type: 'rate', answerId: 'answer_1', rating: null },
    { type: 'open-chooser', target: { kind: 'model' } },
    { type: 'open-chooser', target: { kind: 'compare', slot: 3 } },
  ];
  for (const message of valid) assert.deepEqual(parseViewMessage(message), message, JSON.stringify(message));
});

test('anything outside the protocol is refused', () => {
  const invalid: unknown[] = [
    null,
    'ready',
    42,
    {},
    { type: 'run-command', command: 'workbench.action.terminal.new' },
    { type: 'send', text: 'hi', attachments: [] },
    { type: 'send', text: 'hi', attachments: [], model: '' },
    { type: 'send', text: 'hi', attachments: [], model: 'gpt-4o', extra: true },
    { type: 'send', text: 42, attachments: [], model: 'gpt-4o' },
    { type: 'send', text: 'hi', attachments: [{ kind: 'image', name: 'x', dataUrl: 'https://evil.example/x.png' }], model: 'gpt-4o' },
    { type: 'send', text: 'hi', attachments: [{ kind: 'image', name: 'x', dataUrl: 'data:image/svg+xml;base64,PHN2Zz4=' }], model: 'gpt-4o' },
    { type: 'send', text: 'hi', attachments: [{ kind: 'audio', name: 'x', mimeType: 'text/html', base64: 'AA==' }], model: 'gpt-4o' },
    { type: 'send', text: 'hi', attachments: [{ kind: 'file', name: 'x', language: 'ts' }], model: 'gpt-4o' },
    { type: 'compare', text: 'hi', attachments: [], models: ['gpt-4o'] },
    { type: 'compare', text: 'hi', attachments: [], models: ['a', 'b', 'c', 'd', 'e'] },
    { type: 'request-attachment', source: '/etc/passwd' },
    { type: 'save-media', answerId: 'answer_1', index: -1 },
    { type: 'save-media', answerId: 'answer_1', index: 1.5 },
    { type: 'open-conversation', id: '' },
    { type: 'stop', now: true },
    { type: 'rate', answerId: 'answer_1', rating: 'meh' },
    { type: 'rate', answerId: 'answer_1' },
    { type: 'rate', answerId: 'answer_1', rating: 'up', model: 'gpt-4o' },
    { type: 'open-chooser', target: { kind: 'compare', slot: 4 } },
    { type: 'open-chooser', target: { kind: 'compare' } },
    { type: 'open-chooser', target: { kind: 'model', slot: 0 } },
  ];
  for (const message of invalid) assert.equal(parseViewMessage(message), undefined, JSON.stringify(message));
});
