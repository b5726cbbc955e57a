import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';

/** The .vsix as `npm run package` builds it: every vsce check on (a LICENSE, a repository), each
 * file once, and only what runs. */
const ROOT = join(import.meta.dirname, '../..');
const run = promisify(execFile);
const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  scripts: Record<string, string>;
  repository?: { url: string };
  homepage?: string;
  bugs?: { url: string };
  license: string;
  engines: { vscode: string };
  enabledApiProposals?: string[];
  extensionDependencies?: string[];
};

const SHIPPED = [
  'package.json',
  'README.md',
  'CHANGELOG.md',
  'LICENSE',
  'media/icon.png',
  'media/chat/activity-icon.svg',
  'media/walkthrough/pick-model.md',
  'media/walkthrough/point-a-tool.md',
  'media/walkthrough/set-key.md',
  'dist/extension.js',
  'dist/media/chat.js',
  'dist/media/chat.css',
  'dist/media/chat-highlight.js',
  'dist/media/usage.js',
  'dist/media/usage.css',
];

/** The shipped files: the fixed ones and the extension's chunks as the last build named them. */
const shipped = (): string[] => [...SHIPPED, ...readdirSync(join(ROOT, 'dist/chunks')).filter((file) => file.endsWith('.js')).map((file) => `dist/chunks/${file}`)].sort();

/** The names in a zip file's central directory. */
const zipEntries = (zip: Buffer): string[] => {
  const end = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  assert.ok(end >= 0, 'a zip file');
  const count = zip.readUInt16LE(end + 10);
  const names: string[] = [];
  for (let offset = zip.readUInt32LE(end + 16), index = 0; index < count; index += 1) {
    assert.equal(zip.readUInt32LE(offset), 0x02014b50, 'a central directory header');
    const nameLength = zip.readUInt16LE(offset + 28);
    names.push(zip.toString('utf8', offset + 46, offset + 46 + nameLength));
    offset += 46 + nameLength + zip.readUInt16LE(offset + 30) + zip.readUInt16LE(offset + 32);
  }
  return names;
};

test('package.json names its license, repository, homepage and issue tracker, and LICENSE is the MIT license', () => {
  assert.equal(manifest.license, 'MIT');
  assert.match(readFileSync(join(ROOT, 'LICENSE'), 'utf8'), /^MIT License\n/);
  for (const url of [manifest.repository?.url, manifest.homepage, manifest.bugs?.url]) assert.match(url ?? '', /^https:\/\//);
  // Placeholders a maintainer replaces are named as such.
  const contributing = readFileSync(join(ROOT, 'CONTRIBUTING.md'), 'utf8');
  for (const url of [manifest.repository!.url, manifest.homepage!, manifest.bugs!.url]) assert.ok(contributing.includes(url), `CONTRIBUTING.md names ${url}`);
});

test('it installs in VS Code builds without Microsoft\'s services (Open VSX): no proposed API, no extension it depends on', () => {
  assert.equal(manifest.enabledApiProposals, undefined);
  assert.equal(manifest.extensionDependencies, undefined);
  assert.equal(manifest.engines.vscode, '^1.100.0', 'newer APIs (1.104\'s language model provider) are looked up at run time');
});

test('npm run package builds the .vsix with no vsce check switched off, holding each shipped file once', { timeout: 240_000 }, async () => {
  const script = manifest.scripts.package ?? '';
  assert.match(script, /vsce package/);
  assert.doesNotMatch(script, /--(skip|allow|no-verify|no-rewrite)/, 'no check is switched off');
  await run('npm', ['run', 'package'], { cwd: ROOT, timeout: 180_000 });
  const entries = zipEntries(readFileSync(join(ROOT, 'dist/modapi.vsix')));
  const files = entries.filter((entry) => entry.startsWith('extension/')).map((entry) => entry.slice('extension/'.length));
  assert.equal(new Set(files).size, files.length, 'no file twice in the .vsix');
  // vsce stores the README, changelog and license under its own names.
  const renamed: Record<string, string> = { 'readme.md': 'README.md', 'changelog.md': 'CHANGELOG.md', 'LICENSE.txt': 'LICENSE' };
  assert.deepEqual(files.map((file) => renamed[file] ?? file).sort(), shipped());
});

test('vsce ls lists each file once, and exactly what runs (no sources, maps, tests or README images)', { timeout: 120_000 }, async () => {
  const { stdout } = await run(join(ROOT, 'node_modules/.bin/vsce'), ['ls', '--no-dependencies'], { cwd: ROOT, timeout: 60_000 });
  const listed = stdout.split('\n').map((line) => line.trim()).filter(Boolean);
  assert.equal(new Set(listed).size, listed.length, 'no path twice');
  const names = listed.map((file) => basename(file));
  assert.equal(new Set(names).size, names.length, `no file under two paths (a bundled stylesheet and its source): ${listed.join(', ')}`);
  assert.deepEqual([...listed].sort(), shipped());
});
