import assert from 'node:assert/strict';
import { test } from 'node:test';
import { importCycles, importGraph } from './import-graph.js';

const graph = importGraph(['proxy', 'extension', 'media']);

test('no import cycles in proxy/, extension/ or media/, type-only imports included', () => {
  assert.deepEqual(importCycles(graph), []);
});

test('a cycle is found when there is one (the finder itself can fail)', () => {
  const cyclic = new Map([
    ['a.ts', ['b.ts']],
    ['b.ts', ['c.ts']],
    ['c.ts', ['a.ts']],
    ['d.ts', ['a.ts']],
  ]);
  assert.deepEqual(importCycles(cyclic), [['a.ts', 'b.ts', 'c.ts']]);
});

const importsOf = (prefix: string) => [...graph].filter(([file]) => file.startsWith(prefix)).flatMap(([file, targets]) => targets.map((target) => [file, target] as const));

test('a dialect knows only its wire format: it imports no route, server, adapter or other dialect', () => {
  const crossing = importsOf('proxy/dialects/').filter(([file, target]) => {
    const own = file.split('/').slice(0, 3).join('/');
    if (target.startsWith('proxy/dialects/')) return !target.startsWith(`${own}/`);
    return /^proxy\/(routes|server\/(?!error-exit)|adapters\/(?!types))/.test(target);
  });
  assert.deepEqual(crossing, []);
});

test('proxy/ never imports extension/', () => {
  assert.deepEqual(importsOf('proxy/').filter(([, target]) => target.startsWith('extension/')), []);
});
