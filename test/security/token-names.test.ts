import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { LocalTokens } from '../../proxy/server/local-tokens.js';

// A token's name is who it is: its budgets, its stored responses, its usage. A team store token
// named like one of the gateway's configured tokens would have been that same client.
const digest = (secret: string) => createHash('sha256').update(secret).digest();

test('a stored token named like a configured one is left out and named; the others are accepted', () => {
  const tokens = new LocalTokens([{ name: 'default', token: 'mk-local-configured-0123456789' }]);
  const clashing = tokens.replaceStored([
    { name: 'default', digest: digest('mk-store-impostor-0123456789'), admin: false },
    { name: 'alice', digest: digest('mk-store-alice-0123456789'), admin: false },
  ]);
  assert.deepEqual(clashing, ['default']);
  assert.equal(tokens.authenticate('mk-store-impostor-0123456789'), undefined);
  assert.equal(tokens.authenticate('mk-store-alice-0123456789')?.name, 'alice');
  assert.equal(tokens.authenticate('mk-local-configured-0123456789')?.name, 'default');
});
