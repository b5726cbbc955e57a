import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

const ROOT = join(__dirname, '../..');
const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));

const sources = (directory: string): string[] =>
  readdirSync(directory, { withFileTypes: true }).flatMap((entry) => (entry.isDirectory() ? sources(join(directory, entry.name)) : entry.name.endsWith('.ts') ? [join(directory, entry.name)] : []));

/** The command ids the sources register: a core command file declaring `id: 'modapi.x'`, or a
 * feature calling `registerCommand('modapi.x', ...)`. */
const registeredIds = (): string[] =>
  sources(join(ROOT, 'extension')).flatMap((file) => [...readFileSync(file, 'utf8').matchAll(/(?:id: |registerCommand\()'(modapi\.[A-Za-z.]+)'/g)].map((match) => match[1] as string));

test('every command DESIGN.md lists is contributed under the "ModAPI" category', () => {
  const titles = manifest.contributes.commands.filter((command: { category?: string }) => command.category === 'ModAPI').map((command: { title: string }) => command.title);
  for (const title of ['Set API Key', 'Remove API Key', 'Select Model', 'Open Chat', 'Show Usage', 'Copy Gateway URL', 'Copy Local Token', 'Create Local Token', 'Revoke Local Token', 'Restart Gateway', 'Add Provider Key', 'Show Logs']) {
    assert.ok(titles.includes(title), `"ModAPI: ${title}" is contributed`);
  }
});

test('every contributed command is registered once, and nothing else is registered', () => {
  const contributed: string[] = manifest.contributes.commands.map((command: { command: string }) => command.command);
  const ids = registeredIds();
  assert.equal(new Set(ids).size, ids.length, 'none is registered twice');
  assert.deepEqual([...ids].sort(), [...contributed].sort());
});

test('activation waits for the workbench; the icon and walkthrough pages exist', () => {
  assert.ok(manifest.activationEvents.includes('onStartupFinished'));
  assert.ok(!manifest.activationEvents.includes('*'));
  assert.equal(manifest.main, './dist/extension.js');
  assert.ok(existsSync(join(ROOT, manifest.icon)));
  for (const walkthrough of manifest.contributes.walkthroughs) {
    for (const step of walkthrough.steps) assert.ok(existsSync(join(ROOT, step.media.markdown)), step.media.markdown);
  }
});

test('the package leaves out sources, tests, maps and node_modules', () => {
  const ignore = readFileSync(join(ROOT, '.vscodeignore'), 'utf8').split('\n');
  assert.equal(ignore.find((line) => line.trim() && !line.startsWith('#')), '**', 'everything is excluded unless listed');
  const included = ignore.filter((line) => line.startsWith('!'));
  assert.ok(included.every((line) => !/\.map$|\.ts$|^!test|^!node_modules|^!extension|^!proxy/.test(line)), included.join(', '));
  assert.ok(ignore.includes('**/*.map'));
});

const USER_ONLY = ['modapi.baseUrl', 'modapi.providers', 'modapi.gateway.enabled', 'modapi.gateway.port', 'modapi.gateway.allowedOrigins', 'modapi.budget.daily', 'modapi.budget.monthly', 'modapi.budget.unpricedUsdPerRequest', 'modapi.fallbacks', 'modapi.retries'];

test('settings that decide where keys go or which limits apply are application-scoped, the others are not', () => {
  const properties: Record<string, { scope?: string }> = manifest.contributes.configuration.properties;
  for (const key of USER_ONLY) assert.equal(properties[key]?.scope, 'application', `${key} is user-only`);
  for (const [key, schema] of Object.entries(properties)) if (!USER_ONLY.includes(key)) assert.notEqual(schema.scope, 'application', `${key} may differ per workspace`);
});

test('untrusted workspaces are supported on purpose: limited, with the user-only settings restricted and a reason given', () => {
  const untrusted = manifest.capabilities?.untrustedWorkspaces;
  assert.equal(untrusted?.supported, 'limited');
  assert.deepEqual([...untrusted.restrictedConfigurations].sort(), [...USER_ONLY].sort());
  assert.match(untrusted.description, /user settings only/);
});
