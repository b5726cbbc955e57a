// Usage-ledger benchmark (not a test): a year of records at 5,000 requests a day (1,825,000).
// Run: node --import tsx test/usage/bench-aggregate.mjs [--days=365] [--per-day=5000]
// Prints: the cost of appending one record (write(2) per record; with fsync too), the time to build
// the rollups at start (every line parsed; then with the closed months' saved rollups), and the
// time of usage queries over the whole year (the target: well under a second). The rollups are
// built in steps that yield (test/bench/ledger-probe.mjs measures how long each step holds the loop).
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UsageLedger } from '../../proxy/usage/usage-ledger.ts';
import { generatedRecords } from './generate-records.ts';

const option = (name, fallback) => Number(process.argv.find((argument) => argument.startsWith(`--${name}=`))?.split('=')[1] ?? fallback);
const days = option('days', 365);
const perDay = option('per-day', 5000);
const dir = mkdtempSync(join(tmpdir(), 'modapi-ledger-bench-'));
const start = new Date(Date.UTC(2025, 10, 1));
const ms = (value) => `${value.toFixed(value < 10 ? 2 : 0)} ms`;
const timed = (work) => {
  const started = performance.now();
  const result = work();
  return { result, milliseconds: performance.now() - started };
};
const timedAsync = async (work) => {
  const started = performance.now();
  const result = await work();
  return { result, milliseconds: performance.now() - started };
};
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

try {
  // All but the last month written in bulk (fast), month by month so the bench's own heap stays
  // small; the last month goes through the ledger, record by record.
  const lastDay = new Date(start.getTime() + (days - 1) * 86_400_000).toISOString();
  const lastMonth = lastDay.slice(0, 7);
  mkdirSync(dir, { recursive: true });
  const appended = [];
  let lines = [];
  let month;
  let total = 0;
  let files = 0;
  const flush = () => {
    if (lines.length === 0) return;
    writeFileSync(join(dir, `usage-${month}.jsonl`), lines.join(''));
    files += 1;
    lines = [];
  };
  for (const record of generatedRecords(start, days, perDay)) {
    total += 1;
    const recordMonth = record.time.slice(0, 7);
    if (recordMonth === lastMonth) {
      appended.push(record);
      continue;
    }
    if (recordMonth !== month) {
      flush();
      month = recordMonth;
    }
    lines.push(`${JSON.stringify(record)}\n`);
  }
  flush();
  const records = { length: total };
  const writer = new UsageLedger({ dir });
  const append = timed(() => {
    for (const record of appended) writer.record(record);
  });
  writer.close();

  const syncDir = join(dir, 'fsync');
  const durable = new UsageLedger({ dir: syncDir, fsync: true });
  const sample = appended.slice(0, 1000);
  const appendSynced = timed(() => {
    for (const record of sample) durable.record(record);
  });
  durable.close();
  rmSync(syncDir, { recursive: true, force: true });

  // Cold: no saved rollups yet (the writer above saved some when it opened the folder).
  for (const name of readdirSync(dir)) if (name.endsWith('.rollup.json')) rmSync(join(dir, name));
  // Not closed: as after a kill, the current month has no saved rollups for the next start.
  const cold = await timedAsync(() => UsageLedger.open({ dir, recentLimit: 1000 }));
  const warm = await timedAsync(() => UsageLedger.open({ dir, recentLimit: 1000 }));
  // A clean stop saves the current month too: the next start reads no line.
  warm.result.close();
  const clean = await timedAsync(() => UsageLedger.open({ dir, recentLimit: 1000 }));
  const ledger = clean.result;

  console.log(`ledger: ${records.length.toLocaleString('en-US')} records over ${days} days (${perDay}/day), ${files + 1} monthly files`);
  console.log(`append, one write(2) per record:       ${ms((append.milliseconds / appended.length) * 1000)} per 1000 records (${(append.milliseconds * 1000 / appended.length).toFixed(1)} us each)`);
  console.log(`append, write(2) + fsync per record:    ${ms((appendSynced.milliseconds / sample.length) * 1000)} per 1000 records`);
  console.log(`start, every line read:                 ${ms(cold.milliseconds)} (${cold.result.loadStats.recordsParsed.toLocaleString('en-US')} records parsed)`);
  console.log(`start after a kill (current month read):   ${ms(warm.milliseconds)} (${warm.result.loadStats.monthsFromSnapshots} months from rollups, ${warm.result.loadStats.recordsParsed.toLocaleString('en-US')} records parsed)`);
  console.log(`start after a clean stop:               ${ms(clean.milliseconds)} (${ledger.loadStats.monthsFromSnapshots} months from rollups, ${ledger.loadStats.recordsParsed.toLocaleString('en-US')} records parsed)`);
  const from = start.toISOString().slice(0, 10);
  const to = lastDay.slice(0, 10);
  for (const groupBy of [undefined, 'model', 'provider', 'client', 'endpoint', 'day']) {
    const runs = Array.from({ length: 7 }, () => timed(() => ledger.summary({ fromDay: from, toDay: to, groupBy })));
    const summary = runs[0].result;
    if (summary.totals.requests !== records.length) throw new Error(`the year sums to ${summary.totals.requests} requests, not ${records.length}`);
    console.log(`query a year, group_by=${(groupBy ?? 'none').padEnd(8)}       ${ms(median(runs.map((run) => run.milliseconds)))} (median of 7; ${summary.groups.length} groups)`);
  }
  const monthQuery = timed(() => ledger.summary({ fromDay: `${lastMonth}-01`, toDay: `${lastMonth}-31`, groupBy: 'client' }));
  console.log(`query a month, group_by=client:          ${ms(monthQuery.milliseconds)}`);
  const spent = timed(() => {
    for (let index = 0; index < 10_000; index += 1) ledger.rollups.spentUsd(lastMonth, 'aider');
  });
  console.log(`budget check (spent this month, a client): ${(spent.milliseconds / 10).toFixed(3)} us each`);
  ledger.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
