// `node test/bench/core-speed.mjs [seconds]`: whether this machine's cores run at a steady speed,
// before believing a bench FAIL. A fixed JSON workload runs on every core at once (pinned with
// taskset when there is one) and each second's throughput is printed as a fraction of that core's
// best second. On a shared VM a core can drop to half its speed for tens of seconds; every CPU and
// latency row measured in such a stretch moves with it.
import { spawn, spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';

const seconds = Number(process.argv[2] ?? 30);

const worker = () => {
  const body = JSON.stringify({ model: 'x', messages: Array.from({ length: 20 }, (_, index) => ({ role: 'user', content: `${'hello world '.repeat(20)}${index}` })) });
  const perSecond = [];
  const end = Date.now() + seconds * 1000;
  while (Date.now() < end) {
    const windowEnd = Date.now() + 1000;
    let count = 0;
    while (Date.now() < windowEnd) {
      const parsed = JSON.parse(body);
      parsed.count = count;
      JSON.stringify(parsed);
      count += 1;
    }
    perSecond.push(count);
  }
  process.stdout.write(JSON.stringify(perSecond));
};

const run = async () => {
  const cores = availableParallelism();
  const taskset = spawnSync('taskset', ['-p', String(process.pid)]).status === 0;
  const series = await Promise.all(
    Array.from({ length: cores }, (_, core) => {
      const args = [process.argv[1], String(seconds), '--worker'];
      const child = taskset ? spawn('taskset', ['-c', String(core), process.execPath, ...args]) : spawn(process.execPath, args);
      let output = '';
      child.stdout.on('data', (text) => (output += text));
      return new Promise((resolve) => child.once('exit', () => resolve(JSON.parse(output))));
    }),
  );
  console.log(`each core's speed per second, as a fraction of its best second (${taskset ? 'pinned' : 'not pinned: no taskset'}):`);
  for (const [core, counts] of series.entries()) {
    const best = Math.max(...counts);
    const fractions = counts.map((count) => count / best);
    console.log(`core ${core}: lowest ${Math.min(...fractions).toFixed(2)}  ${fractions.map((fraction) => fraction.toFixed(2)).join(' ')}`);
  }
};

if (process.argv.includes('--worker')) worker();
else await run();
