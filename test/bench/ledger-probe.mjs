// The ledger's work in the editor's extension host, timed for how long it holds the event loop at a
// time: a year of records (5,000 a day) read at start without saved rollups, then exported as one
// CSV through the usage panel's own export code. Run by `npm run bench` (test/bench/ledger-stall.mjs),
// or alone: node --expose-gc --import tsx test/bench/ledger-probe.mjs [--days=365] [--per-day=5000]
// Prints one JSON line with the figures.
import { once } from 'node:events';
import { appendFileSync, createWriteStream, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { finished } from 'node:stream/promises';
import { exportCsv } from '../../extension/usage/usage-export.ts';
import { UsageLedger } from '../../proxy/usage/usage-ledger.ts';
import { generatedRecords } from '../usage/generate-records.ts';

const option = (name, fallback) => Number(process.argv.find((argument) => argument.startsWith(`--${name}=`))?.split('=')[1] ?? fallback);
const days = option('days', 365);
const perDay = option('per-day', 5000);
const PROBE_MS = 2;

/** Runs `work` while two probes watch the event loop: a 2 ms timer and Node's event-loop delay
 * histogram. The longest gap between two timer turns is wall-clock time, which on a shared machine
 * includes time the operating system gave other processes; so the probe also takes the process's
 * CPU time within each gap (every thread's, so never less than what the event loop used) and keeps
 * the largest: how long the work itself held the loop at most. */
const watched = async (work) => {
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  histogram.enable();
  let last = performance.now();
  let lastCpu = process.cpuUsage();
  let longestGapMs = 0;
  let longestHoldMs = 0;
  const probe = setInterval(() => {
    const now = performance.now();
    const cpu = process.cpuUsage(lastCpu);
    longestGapMs = Math.max(longestGapMs, now - last - PROBE_MS);
    longestHoldMs = Math.max(longestHoldMs, Math.min(now - last, (cpu.user + cpu.system) / 1000) - PROBE_MS);
    last = now;
    lastCpu = process.cpuUsage();
  }, PROBE_MS);
  const started = performance.now();
  const result = await work();
  const seconds = (performance.now() - started) / 1000;
  clearInterval(probe);
  histogram.disable();
  return { result, seconds, longestHoldMs, longestGapMs: Math.max(longestGapMs, histogram.max / 1e6), p99DelayMs: histogram.percentile(99) / 1e6 };
};

const DAY_MS = 86_400_000;
const dayOf = (time) => new Date(time).toISOString().slice(0, 10);

/** A year of ledger files in seconds rather than a minute: a week of generated records, each of its
 * days' lines reused for the same weekday with the date changed (the ledger reads them all the same). */
const writeYear = (folder, start) => {
  mkdirSync(folder, { recursive: true });
  const week = Array.from({ length: 7 }, () => []);
  let index = 0;
  for (const record of generatedRecords(start, 7, perDay)) week[Math.floor(index++ / perDay)].push(`${JSON.stringify(record)}\n`);
  const templates = week.map((lines, day) => ({ text: lines.join(''), day: dayOf(start.getTime() + day * DAY_MS) }));
  for (let day = 0; day < days; day += 1) {
    const date = dayOf(start.getTime() + day * DAY_MS);
    const template = templates[day % 7];
    appendFileSync(join(folder, `usage-${date.slice(0, 7)}.jsonl`), template.text.replaceAll(`"time":"${template.day}`, `"time":"${date}`));
  }
  return days * perDay;
};

const dir = mkdtempSync(join(tmpdir(), 'modapi-ledger-stall-'));
try {
  const start = new Date(Date.UTC(2025, 10, 1));
  const records = writeYear(join(dir, 'ledger'), start);
  const range = { fromDay: dayOf(start), toDay: dayOf(start.getTime() + (days - 1) * DAY_MS) };
  // The probe measures the ledger, not the garbage the generation above left behind.
  globalThis.gc?.();

  let ledger;
  const rebuild = await watched(async () => {
    ledger = new UsageLedger({ dir: join(dir, 'ledger') });
    return ledger.loaded;
  });
  if (rebuild.result.recordsParsed !== records) throw new Error(`the rebuild read ${rebuild.result.recordsParsed} records of ${records}`);

  globalThis.gc?.();
  const csvPath = join(dir, 'year.csv');
  const exported = await watched(async () => {
    const file = createWriteStream(csvPath);
    const rows = await exportCsv(ledger, { view: 'requests' }, range, {
      write: async (text) => {
        if (!file.write(text)) await once(file, 'drain');
      },
    });
    file.end();
    await finished(file);
    return rows;
  });
  if (exported.result !== records) throw new Error(`the export wrote ${exported.result} rows of ${records}`);
  ledger.close();

  const figures = (run) => ({ seconds: run.seconds, longestHoldMs: run.longestHoldMs, longestGapMs: run.longestGapMs, p99DelayMs: run.p99DelayMs });
  console.log(JSON.stringify({ records, csvBytes: statSync(csvPath).size, rebuild: figures(rebuild), export: figures(exported) }));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
