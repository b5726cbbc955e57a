import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';

// The extension uses only the embedded store: the team store's client libraries (pg, ioredis) and
// its code stay out of the bundle the .vsix carries; the CLI loads them from node_modules.
const ROOT = join(import.meta.dirname, '..', '..');
let extension: string;
let cli: string;

before(() => {
  execFileSync(process.execPath, ['esbuild.js'], { cwd: ROOT, stdio: 'pipe' });
  extension = readFileSync(join(ROOT, 'dist', 'extension.js'), 'utf8');
  cli = readFileSync(join(ROOT, 'dist', 'cli.js'), 'utf8');
});

// What each library's code, or a reference to it, leaves in a bundle.
const TEAM_TRACES = ['ioredis', 'pg-protocol', 'pg-pool', 'import("pg")', 'require("pg")', 'RedisCommander', 'budget_holds', 'BUDGET_RESERVE', 'usage_events'];

test('dist/extension.js carries neither pg nor ioredis nor the team store', () => {
  const found = TEAM_TRACES.filter((trace) => extension.includes(trace));
  assert.deepEqual(found, []);
});

test('dist/cli.js loads pg and ioredis from node_modules rather than bundling them', () => {
  assert.ok(cli.includes('budget_holds'), 'the CLI has the team store');
  assert.ok(cli.includes('import("pg")') && cli.includes('import("ioredis")'), 'the CLI imports the clients at run time');
  assert.ok(!cli.includes('pg-protocol') && !cli.includes('RedisCommander'), 'a client library was bundled');
});
