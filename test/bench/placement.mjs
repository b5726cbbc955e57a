// Which cores the processes run on while a capacity row (CPU per request, requests per second) is
// measured. On a machine with few cores the scheduler moves the processes around, and a process
// that shares a core with the load generator and the fake upstream pays for every switch between
// them in caches and branch predictors: its CPU per request then grows by half or more, for
// stretches of seconds, at random. So for those rows the measured process (the gateway, claude-code-router)
// gets the last core and the load generator and the fake upstream the others, as a load test on
// separate machines would have it. Latency rows run wherever the scheduler puts them, as a client
// and the gateway on one developer machine would.
import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';

const cores = availableParallelism();
const setCores = (pid, list) => spawnSync('taskset', ['-a', '-p', '-c', list, String(pid)], { stdio: 'ignore' }).status === 0;
const pinnable = cores >= 2 && process.env.BENCH_PIN !== '0' && setCores(process.pid, `0-${cores - 1}`);
const MEASURED_CORE = String(cores - 1);
const OTHER_CORES = `0-${cores - 2}`;
const ALL_CORES = `0-${cores - 1}`;

/** Runs `measure` with the `measured` processes on a core of their own and the bench's own process
 * (the load generator) and the `others` (the fake upstream) on the rest; then unpins them all. */
export const onSeparateCores = async ({ measured, others }, measure) => {
  if (!pinnable) return measure();
  for (const pid of measured) setCores(pid, MEASURED_CORE);
  for (const pid of [process.pid, ...others]) setCores(pid, OTHER_CORES);
  try {
    return await measure();
  } finally {
    for (const pid of [...measured, process.pid, ...others]) setCores(pid, ALL_CORES);
  }
};

export const placementSummary = () =>
  pinnable
    ? `capacity rows (CPU per request, requests/s) with the measured process on core ${MEASURED_CORE} and the load generator and fake upstream on ${OTHER_CORES}; latency rows unpinned`
    : 'nothing pinned (BENCH_PIN=0, one core, or no taskset)';
