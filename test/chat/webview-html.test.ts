import assert from 'node:assert/strict';
import { test } from 'node:test';
import { chatViewHtml, contentSecurityPolicy, createNonce } from '../../extension/chat/webview-html.js';

const SOURCE = 'https://file+.vscode-resource.vscode-cdn.net';

test('the view has the strict CSP: nothing by default, the script by nonce, no remote or inline code', () => {
  const html = chatViewHtml({ cspSource: SOURCE, scriptUri: `${SOURCE}/dist/media/chat.js`, styleUri: `${SOURCE}/dist/media/chat.css`, nonce: 'abc123' });
  const policy = /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)?.[1];
  assert.equal(policy, `default-src 'none'; script-src 'nonce-abc123'; style-src ${SOURCE}; img-src ${SOURCE} data: blob:; media-src blob: data:`);
  assert.doesNotMatch(policy!, /unsafe-inline|unsafe-eval|\*/);
  const scripts = [...html.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)];
  assert.equal(scripts.length, 1);
  assert.match(scripts[0]![1]!, /nonce="abc123"/);
  assert.equal(scripts[0]![2], '', 'no inline script body');
  assert.doesNotMatch(html, /\son[a-z]+=/i);
  assert.doesNotMatch(html, /style=/i);
});

test('every page gets a fresh, unguessable nonce', () => {
  const nonces = new Set(Array.from({ length: 50 }, () => createNonce()));
  assert.equal(nonces.size, 50);
  for (const nonce of nonces) assert.match(nonce, /^[A-Za-z0-9]{16,}$/);
  assert.match(contentSecurityPolicy(SOURCE, 'n1'), /script-src 'nonce-n1'/);
});
