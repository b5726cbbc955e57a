import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Redactor } from '../../proxy/logger.js';
import { generateLocalToken, parseKeyMap, parseTokenList, validateTokenName } from '../../extension/secrets/token-format.js';

test('local tokens are long, random, and recognised by the log redactor even when unknown to it', () => {
  const first = generateLocalToken();
  assert.match(first, /^mk-local-[A-Za-z0-9_-]{43}$/);
  assert.notEqual(first, generateLocalToken());
  assert.equal(new Redactor().redact(`token ${first} used`), 'token [redacted] used');
});

test('token names: one short plain name per tool, no duplicates', () => {
  assert.equal(validateTokenName('claude-code', ['default']), undefined);
  assert.match(validateTokenName('  ', [])!, /name/);
  assert.match(validateTokenName('my tool', [])!, /letters/);
  assert.match(validateTokenName('default', ['default'])!, /already exists/);
});

test('what SecretStorage holds is parsed defensively', () => {
  assert.deepEqual(parseTokenList(undefined), []);
  assert.deepEqual(parseTokenList('not json'), []);
  assert.deepEqual(parseTokenList('{"name":"x"}'), []);
  assert.deepEqual(parseTokenList('[{"name":"a","token":"t1","createdAt":"d"},{"name":"b","token":""},{"token":"t3"}]'), [{ name: 'a', token: 't1', createdAt: 'd' }]);
  assert.deepEqual(parseKeyMap('{"openai":"sk-1","gemini":"","groq":5}'), { openai: 'sk-1' });
  assert.deepEqual(parseKeyMap('[1]'), {});
});
