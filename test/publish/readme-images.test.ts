import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, normalize } from 'node:path';
import { test } from 'node:test';

/** The README's images: the e2e suites save them (test/e2e/support/readme-images.ts); here they
 * must exist where the README points, relative to it (vsce links them to the repository for the
 * Marketplace and Open VSX pages), be PNGs and stay small. */
const ROOT = join(import.meta.dirname, '../..');
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');
const MAX_BYTES = 150_000;
const SHOWN = ['chat-answer', 'chat-compare', 'usage-panel', 'model-picker', 'vscode-chat'];

const imagePaths = (markdown: string): string[] => [...markdown.matchAll(/!\[[^\]]*\]\(([^)\s]+)(?:\s+"[^"]*")?\)|<img\s[^>]*src="([^"]+)"/g)].map((match) => (match[1] ?? match[2])!);

test('the README shows the chat, Compare, the usage panel, the model picker and VS Code\'s chat', () => {
  const paths = imagePaths(README);
  for (const name of SHOWN) assert.ok(paths.includes(`docs/images/${name}.png`), `README shows docs/images/${name}.png`);
});

test('every README image is a relative path to a small PNG in the repository', () => {
  for (const path of imagePaths(README)) {
    assert.doesNotMatch(path, /^[a-z]+:/i, `${path} is relative`);
    const file = normalize(join(ROOT, path));
    assert.ok(file.startsWith(join(ROOT, 'docs/images/')), `${path} is under docs/images`);
    assert.ok(existsSync(file), `${path} exists`);
    const bytes = readFileSync(file);
    assert.equal(bytes.toString('latin1', 1, 4), 'PNG', `${path} is a PNG`);
    assert.ok(statSync(file).size <= MAX_BYTES, `${path}: ${statSync(file).size} bytes (at most ${MAX_BYTES})`);
    const width = bytes.readUInt32BE(16);
    assert.ok(width >= 200 && width <= 1000, `${path} is ${width} px wide`);
  }
});
