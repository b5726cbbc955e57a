// The bench's capacity rows pin the measured process to a core of its own while they run, and
// unpin everything afterwards (test/bench/placement.mjs).
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { test } from 'node:test';
import { onSeparateCores } from './placement.mjs';

const allowedCores = (pid: number): string => /Cpus_allowed_list:\s*(\S+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? '';
const idleNode = (): ChildProcess => spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
const range = (from: number, to: number) => (from === to ? String(from) : `${from}-${to}`);

test('the measured process runs alone on the last core while the rows run, and everything is unpinned after', async () => {
  const cores = availableParallelism();
  const measured = idleNode();
  const other = idleNode();
  try {
    const seen = await onSeparateCores({ measured: [measured.pid!], others: [other.pid!] }, async () => ({
      measured: allowedCores(measured.pid!),
      other: allowedCores(other.pid!),
      bench: allowedCores(process.pid),
    }));
    const all = range(0, cores - 1);
    if (cores >= 2) assert.deepEqual(seen, { measured: String(cores - 1), other: range(0, cores - 2), bench: range(0, cores - 2) });
    else assert.deepEqual(seen, { measured: all, other: all, bench: all });
    assert.deepEqual([allowedCores(measured.pid!), allowedCores(other.pid!), allowedCores(process.pid)], [all, all, all]);
  } finally {
    measured.kill();
    other.kill();
  }
});

test('a measurement that throws still leaves every process unpinned', async () => {
  const measured = idleNode();
  try {
    await assert.rejects(onSeparateCores({ measured: [measured.pid!], others: [] }, async () => Promise.reject(new Error('round failed'))), /round failed/);
    const all = range(0, availableParallelism() - 1);
    assert.deepEqual([allowedCores(measured.pid!), allowedCores(process.pid)], [all, all]);
  } finally {
    measured.kill();
  }
});
