import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseUsageViewMessage } from '../../extension/usage/protocol.js';

test('every message the usage webview may send is accepted in its exact shape', () => {
  const valid = [
    { type: 'ready', range: '7d', stackBy: 'provider' },
    { type: 'set-view', range: '30d', stackBy: 'model' },
    { type: 'set-view', range: 'month', stackBy: 'provider' },
    { type: 'export', view: 'totals' },
    { type: 'export', view: 'breakdown', breakdown: 'endpoint' },
    { type: 'export', view: 'requests', filter: { search: 'gpt', client: 'aider', model: '', status: 'error' } },
    { type: 'copy-gateway-url' },
    { type: 'copy-token' },
    { type: 'open-chat' },
  ];
  for (const message of valid) assert.deepEqual(parseUsageViewMessage(message), message, JSON.stringify(message));
});

test('anything outside the usage protocol is refused', () => {
  const invalid: unknown[] = [
    null,
    'ready',
    {},
    { type: 'run-command', command: 'workbench.action.terminal.new' },
    { type: 'ready' },
    { type: 'ready', range: '7d', stackBy: 'model', extra: 1 },
    { type: 'set-view', range: '365d', stackBy: 'model' },
    { type: 'set-view', range: '7d', stackBy: 'client' },
    { type: 'export', view: 'everything' },
    { type: 'export', view: 'breakdown', breakdown: 'day' },
    { type: 'export', view: 'requests', filter: { search: 'x' } },
    { type: 'export', view: 'requests', filter: { search: 'x'.repeat(301), client: '', model: '', status: 'all' } },
    { type: 'export', view: 'requests', path: '/etc/passwd' },
    { type: 'copy-token', name: 'default' },
  ];
  for (const message of invalid) assert.equal(parseUsageViewMessage(message), undefined, JSON.stringify(message));
});
