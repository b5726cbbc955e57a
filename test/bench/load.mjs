// The bench's load generator: undici Pools with keep-alive connections, one request per connection
// at a time (no pipelining), timings with process.hrtime.
import { Pool } from 'undici';

const now = () => Number(process.hrtime.bigint()) / 1e6;

export const createPool = (origin, connections) => new Pool(origin, { connections, pipelining: 1, keepAliveTimeout: 120_000, headersTimeout: 120_000, bodyTimeout: 120_000 });

/** One request, its body read whole; throws on a status other than 200. */
export const send = async (pool, spec) => {
  const { statusCode, body } = await pool.request({ path: spec.path, method: 'POST', headers: spec.headers, body: spec.body });
  const bytes = await body.arrayBuffer();
  if (statusCode !== (spec.expectStatus ?? 200)) throw new Error(`status ${statusCode}: ${Buffer.from(bytes).toString('utf8').slice(0, 300)}`);
  return bytes.byteLength;
};

/** Latencies (ms) of `count` requests sent one after another. */
export const sequentialLatencies = async (pool, spec, count) => {
  const latencies = new Float64Array(count);
  for (let index = 0; index < count; index += 1) {
    const started = now();
    await send(pool, spec);
    latencies[index] = now() - started;
  }
  return latencies;
};

/** Completed requests over a fixed time with `connections` requests always in flight. */
export const throughput = async (pool, spec, connections, durationMs) => {
  const deadline = now() + durationMs;
  let completed = 0;
  const started = now();
  const worker = async () => {
    while (now() < deadline) {
      await send(pool, spec);
      completed += 1;
    }
  };
  await Promise.all(Array.from({ length: connections }, worker));
  return { completed, seconds: (now() - started) / 1000 };
};

/** Sends exactly `total` requests with `connections` in flight (the memory-growth phase). */
export const fixedCount = async (pool, spec, connections, total) => {
  let issued = 0;
  const worker = async () => {
    while (issued < total) {
      issued += 1;
      await send(pool, spec);
    }
  };
  await Promise.all(Array.from({ length: connections }, worker));
};

const SENT_AT = /"id":"chatcmpl-([\d.]+)"/;

/** One SSE stream: time to the first body byte, the arrival time of every complete event, and for
 * the bench upstream's chunks (which carry the moment they were written) the delay of each. */
export const timeStream = async (pool, spec) => {
  const started = now();
  const { statusCode, body } = await pool.request({ path: spec.path, method: 'POST', headers: spec.headers, body: spec.body });
  if (statusCode !== 200) throw new Error(`stream status ${statusCode}: ${(await body.text()).slice(0, 300)}`);
  let firstByte;
  const eventTimes = [];
  const delays = [];
  let pending = '';
  for await (const chunk of body) {
    const at = now();
    firstByte ??= at - started;
    pending += chunk.toString('utf8');
    let boundary = pending.indexOf('\n\n');
    while (boundary !== -1) {
      eventTimes.push(at);
      const sentAt = SENT_AT.exec(pending.slice(0, boundary));
      if (sentAt) delays.push(at - Number(sentAt[1]));
      pending = pending.slice(boundary + 2);
      boundary = pending.indexOf('\n\n');
    }
  }
  return { firstByte, eventTimes, delays, total: now() - started };
};

/** Runs `count` streams with `concurrency` at a time; returns their timings. */
export const streams = async (pool, spec, count, concurrency) => {
  const results = [];
  let issued = 0;
  const worker = async () => {
    while (issued < count) {
      issued += 1;
      results.push(await timeStream(pool, spec));
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return results;
};
