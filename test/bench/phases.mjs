// The bench's measurements. Each sends the same workload directly to the fake upstream and through
// the gateway, interleaved round by round (the order flips every round), and returns table rows.
import { onSeparateCores } from './placement.mjs';
import { cpuMilliseconds, memoryAfterGc, rssMegabytes } from './processes.mjs';
import { fixedCount, send, sequentialLatencies, streams, throughput } from './load.mjs';
import { formatNumber, median, percentile, slope } from './stats.mjs';

const chatBody = (model, stream, content = 'Say hello in one short sentence.') =>
  JSON.stringify({ model, stream, messages: [{ role: 'system', content: 'You are terse.' }, { role: 'user', content }] });

export const chatSpecs = (token) => ({
  direct: (body) => ({ path: '/v1/chat/completions', headers: { 'content-type': 'application/json' }, body }),
  gateway: (body) => ({ path: '/v1/chat/completions', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body }),
});

/** Runs `measure(side)` for both sides, `rounds` times, flipping which goes first. */
const interleaved = async (rounds, measure) => {
  const results = { direct: [], gateway: [] };
  for (let round = 0; round < rounds; round += 1) {
    const order = round % 2 === 0 ? ['direct', 'gateway'] : ['gateway', 'direct'];
    for (const side of order) results[side].push(await measure(side));
  }
  return results;
};

const row = (name, direct, gateway, figure, unit, target, pass, digits = 2) => ({
  name,
  direct: direct === undefined ? '' : formatNumber(direct, digits),
  gateway: gateway === undefined ? '' : formatNumber(gateway, digits),
  figure: `${formatNumber(figure, digits)} ${unit}`,
  target,
  pass,
});

export const warmUp = async (context) => {
  const body = chatBody('bench-model', false);
  for (const side of ['direct', 'gateway']) await fixedCount(context.pools[side], context.specs[side](body), 16, 3_000);
  await streams(context.pools.gateway, context.specs.gateway(chatBody('bench-pace-0', true)), 50, 8);
};

export const latencyAtConcurrencyOne = async (context, rounds = 5, count = 2_000) => {
  const body = chatBody('bench-model', false);
  const results = await interleaved(rounds, async (side) => {
    const latencies = await sequentialLatencies(context.pools[side], context.specs[side](body), count);
    return { p50: percentile(latencies, 0.5), p99: percentile(latencies, 0.99) };
  });
  const added = (key) => median(results.gateway.map((gateway, index) => gateway[key] - results.direct[index][key]));
  const addedP50 = added('p50');
  const addedP99 = added('p99');
  return [
    row('non-streamed chat, c=1: p50 latency (ms)', median(results.direct.map((r) => r.p50)), median(results.gateway.map((r) => r.p50)), addedP50, 'ms added', '<= 0.4 ms', addedP50 <= 0.4, 3),
    row('non-streamed chat, c=1: p99 latency (ms)', median(results.direct.map((r) => r.p99)), median(results.gateway.map((r) => r.p99)), addedP99, 'ms added', '<= 2 ms', addedP99 <= 2, 3),
  ];
};

export const requestsPerSecond = async (context, connections, rounds = 3, durationMs = 2_500) => {
  const body = chatBody('bench-model', false);
  const cpuPerRequest = [];
  const results = await onSeparateCores({ measured: [context.gateway.child.pid], others: [context.upstream.child.pid] }, () =>
    interleaved(rounds, async (side) => {
      const cpuBefore = cpuMilliseconds(context.gateway.child.pid);
      const { completed, seconds } = await throughput(context.pools[side], context.specs[side](body), connections, durationMs);
      if (side === 'gateway') cpuPerRequest.push((cpuMilliseconds(context.gateway.child.pid) - cpuBefore) / completed);
      return completed / seconds;
    }),
  );
  const direct = median(results.direct);
  const gateway = median(results.gateway);
  const cpu = median(cpuPerRequest);
  const rows = [row(`requests/s at ${connections} connections`, direct, gateway, gateway, `req/s (${formatNumber((gateway / direct) * 100, 0)}% of direct)`, connections === 32 ? '>= 3500 req/s' : 'info', connections === 32 ? gateway >= 3_500 : undefined, 0)];
  rows.push(row(`gateway CPU per request at ${connections} connections`, undefined, undefined, cpu, 'ms', '<= 0.25 ms', cpu <= 0.25, 3));
  return rows;
};

/** Mean gap between consecutive events over the first 50 (the content chunks). */
const meanGap = (eventTimes) => (eventTimes[49] - eventTimes[0]) / 49;

const summariseStreams = (side, timings) => {
  for (const timing of timings) if (timing.eventTimes.length < 50) throw new Error(`${side}: a stream brought ${timing.eventTimes.length} events`);
  const delays = timings.flatMap((t) => t.delays);
  return {
    ttfb: median(timings.map((t) => t.firstByte)),
    gap: median(timings.map((t) => meanGap(t.eventTimes))),
    delay: median(delays),
    delayP99: percentile(delays, 0.99),
  };
};

/** One stream at a time: what the gateway adds to each, not how streams queue behind each other
 * (the 500-stream phase loads it). */
export const streaming = async (context, rounds = 5, count = 30) => {
  const body = chatBody('bench-pace-1', true);
  // Round by round, not stream by stream: streams back to back (an agent's loop), each side in turn.
  // Alternating single streams leaves each side idle for a whole stream before its next one, which
  // measures how the machine wakes a process more than what the gateway adds (see README).
  const results = await interleaved(rounds, async (side) => summariseStreams(side, await streams(context.pools[side], context.specs[side](body), count, 1)));
  const added = (key) => median(results.gateway.map((gateway, index) => gateway[key] - results.direct[index][key]));
  const addedTtfb = added('ttfb');
  const addedDelay = added('delay');
  const addedDelayP99 = added('delayP99');
  const addedGap = added('gap');
  const column = (side, key) => median(results[side].map((r) => r[key]));
  return [
    row('50-chunk stream: time to first byte (ms)', column('direct', 'ttfb'), column('gateway', 'ttfb'), addedTtfb, 'ms added', '<= 0.5 ms', addedTtfb <= 0.5, 3),
    // A chunk held back (until the next one, or a buffer fills) would add a whole pace (1 ms) or more.
    row('50-chunk stream: each chunk, upstream write to client, p50 (ms)', column('direct', 'delay'), column('gateway', 'delay'), addedDelay, 'ms added', '< 0.5 ms: none held', addedDelay < 0.5, 3),
    // The tail follows the machine's scheduling more than the gateway (a bare proxy shows the same).
    row('50-chunk stream: each chunk, upstream write to client, p99 (ms)', column('direct', 'delayP99'), column('gateway', 'delayP99'), addedDelayP99, 'ms added', 'info', undefined, 3),
    row('50-chunk stream: mean gap between chunks (ms)', column('direct', 'gap'), column('gateway', 'gap'), addedGap, 'ms added (timer noise ~0.1)', 'info', undefined, 3),
  ];
};

const multipartUpload = (megabytes) => {
  const boundary = '----modapi-bench-boundary';
  const head = Buffer.from(
    `--${boundary}\r\ncontent-disposition: form-data; name="model"\r\n\r\nwhisper-1\r\n` +
      `--${boundary}\r\ncontent-disposition: form-data; name="file"; filename="speech.mp3"\r\ncontent-type: audio/mpeg\r\n\r\n`,
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const audio = Buffer.alloc(megabytes * 1024 * 1024, 7);
  return { body: Buffer.concat([head, audio, tail]), contentType: `multipart/form-data; boundary=${boundary}` };
};

export const largeUpload = async (context, token, rounds = 3, count = 4) => {
  const upload = multipartUpload(10);
  const specs = {
    direct: { path: '/v1/audio/transcriptions', headers: { 'content-type': upload.contentType }, body: upload.body },
    gateway: { path: '/v1/audio/transcriptions', headers: { 'content-type': upload.contentType, authorization: `Bearer ${token}` }, body: upload.body },
  };
  const results = await interleaved(rounds, async (side) => median(await sequentialLatencies(context.pools[side], specs[side], count)));
  const added = median(results.gateway.map((gateway, index) => gateway - results.direct[index]));
  return [row('10 MB multipart upload, transcription (ms)', median(results.direct), median(results.gateway), added, 'ms added', 'info', undefined)];
};

export const manyStreams = async (context, count = 500) => {
  const pid = context.gateway.child.pid;
  const before = rssMegabytes(pid);
  let peak = before;
  const sampler = setInterval(() => {
    peak = Math.max(peak, rssMegabytes(pid));
  }, 5);
  const started = performance.now();
  const timings = await streams(context.pools.gateway, context.specs.gateway(chatBody('bench-pace-10', true)), count, count);
  clearInterval(sampler);
  peak = Math.max(peak, rssMegabytes(pid));
  const complete = timings.filter((timing) => timing.eventTimes.length >= 50).length;
  const seconds = (performance.now() - started) / 1000;
  return [row(`peak RSS with ${count} concurrent streams (MB; ${complete} complete in ${formatNumber(seconds, 1)} s)`, undefined, before, peak, 'MB', '<= 150 MB', peak <= 150 && complete === count, 1)];
};

/** Heap after a forced GC every 5,000 requests up to 50,000: the trend must be flat. */
export const memoryGrowth = async (context, step = 5_000, steps = 10) => {
  const spec = context.specs.gateway(chatBody('bench-model', false));
  const points = [];
  for (let index = 1; index <= steps; index += 1) {
    await fixedCount(context.pools.gateway, spec, 32, step);
    const memory = await memoryAfterGc(context.gateway);
    points.push({ requests: index * step, heap: memory.heapUsed / 1024 / 1024, rss: memory.rss / 1024 / 1024 });
  }
  const first = points[0];
  const last = points.at(-1);
  const perTenThousand = slope(points.slice(1).map((point) => [point.requests / 10_000, point.heap]));
  const grew = last.heap - first.heap;
  return [
    row('heap after GC: 5,000 vs 50,000 requests (MB)', first.heap, last.heap, grew, `MB growth (trend ${formatNumber(perTenThousand, 3)} MB per 10k)`, '< 2 MB, flat', grew < 2 && perTenThousand < 0.25),
    row('RSS: 5,000 vs 50,000 requests (MB)', first.rss, last.rss, last.rss - first.rss, 'MB growth', 'info', undefined, 1),
  ];
};

/** Coarse check only: a wrong token that differs in its first or its last character is refused in
 * the same time (the real guarantee is tested in test/security: digests + timingSafeEqual). */
export const tokenTiming = async (context, token, rounds = 6, count = 300) => {
  const wrongFirst = `${token[0] === 'x' ? 'y' : 'x'}${token.slice(1)}`;
  const wrongLast = `${token.slice(0, -1)}${token.at(-1) === 'x' ? 'y' : 'x'}`;
  const spec = (presented) => ({ path: '/v1/chat/completions', headers: { 'content-type': 'application/json', authorization: `Bearer ${presented}` }, body: '{}', expectStatus: 401 });
  const first = [];
  const last = [];
  for (let round = 0; round < rounds; round += 1) {
    first.push(median(await sequentialLatencies(context.pools.gateway, spec(wrongFirst), count)));
    last.push(median(await sequentialLatencies(context.pools.gateway, spec(wrongLast), count)));
  }
  const difference = Math.abs(median(first) - median(last));
  return [row('401 time: wrong first vs last token character (ms)', median(first), median(last), difference, 'ms apart', '< 0.05 ms (coarse)', difference < 0.05, 3)];
};

/** One request for the record, used to check that the ledger and the output stay clean. */
export const failingRequests = async (context, token) => {
  const bad = { path: '/v1/chat/completions', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: '{"model":', expectStatus: 400 };
  for (let index = 0; index < 20; index += 1) await send(context.pools.gateway, bad);
};
