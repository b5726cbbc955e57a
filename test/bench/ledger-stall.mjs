// The bench phase for the ledger in the editor: test/bench/ledger-probe.mjs in its own process (it
// imports the TypeScript sources through tsx), its figures as table rows against the 50 ms target.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { formatNumber } from './stats.mjs';

const TARGET_MS = 50;

const rowsFor = (label, run) => [
  {
    name: `${label}: longest event-loop hold`,
    direct: '',
    gateway: '',
    figure: `${formatNumber(run.longestHoldMs, 1)} ms (wall-clock gap ${formatNumber(run.longestGapMs, 1)} ms, p99 delay ${formatNumber(run.p99DelayMs, 1)} ms; ${formatNumber(run.seconds, 1)} s)`,
    target: `<= ${TARGET_MS} ms`,
    pass: run.longestHoldMs <= TARGET_MS,
  },
];

export const ledgerStall = async () => {
  const probe = fileURLToPath(new URL('./ledger-probe.mjs', import.meta.url));
  const { stdout } = await promisify(execFile)(process.execPath, ['--expose-gc', '--import', 'tsx', probe], { maxBuffer: 1024 * 1024, timeout: 180_000 });
  const figures = JSON.parse(stdout.trim().split('\n').at(-1));
  const year = `${figures.records.toLocaleString('en-US')} ledger records`;
  return [...rowsFor(`rollups rebuilt from ${year}`, figures.rebuild), ...rowsFor(`CSV export of ${year}`, figures.export)];
};
