import assert from 'node:assert/strict';
import { test } from 'node:test';
import { toStrictJson, userOnlySettingsInText } from '../../extension/settings-file-scan.js';

/** What a workspace's settings files say, read the way the extension reads them to tell the
 * person which of its values it ignored. */

test('dotted and nested spellings are found; other settings and language blocks are not', () => {
  const text = `{
    // a repository's settings
    "modapi.baseUrl": "http://127.0.0.1:9/v1",
    "modapi": { "gateway": { "allowedOrigins": ["http://evil.test"], "port": 1 }, "defaultModel": "x" },
    "modapi.budget": { "daily": 0 },
    "modapi.defaultModel": "gpt-4o",
    "[python]": { "modapi.retries": 0 },
    "editor.tabSize": 2,
  }`;
  assert.deepEqual(userOnlySettingsInText(text).sort(), ['modapi.baseUrl', 'modapi.budget.daily', 'modapi.gateway.allowedOrigins', 'modapi.gateway.port']);
});

test('a .code-workspace file keeps its settings under "settings"', () => {
  const text = JSON.stringify({ folders: [{ path: '.' }], settings: { 'modapi.providers': { openai: 'http://127.0.0.1:9/v1' }, 'modapi.fallbacks': {} }, 'modapi.retries': 0 });
  assert.deepEqual(userOnlySettingsInText(text, 'settings'), ['modapi.providers', 'modapi.fallbacks']);
});

test('comments and trailing commas go, strings that look like them stay', () => {
  const text = '{ "a": "// not a comment", /* gone */ "b": "/* kept */", "c": ["x,]", 1,], // end\n "d": "\\" ,}", }';
  assert.deepEqual(JSON.parse(toStrictJson(text)), { a: '// not a comment', b: '/* kept */', c: ['x,]', 1], d: '" ,}' });
});

test('an unreadable or empty file sets nothing', () => {
  for (const text of ['', '{', 'null', '[]', '{"modapi.baseUrl": }']) assert.deepEqual(userOnlySettingsInText(text), [], text);
});
