// The bench's rows for the lanes of one pipeline (issue 12): the relay lane's first byte beside a
// bare node:http pipe measured in the same run, and the two translated lanes (Anthropic client over
// an OpenAI upstream, OpenAI client over an Anthropic upstream), each against the upstream's own
// dialect sent directly. Upstream answers: dialect-upstream.mjs.
import { createPool, fixedCount, sequentialLatencies, streams, throughput } from './load.mjs';
import { onSeparateCores } from './placement.mjs';
import { cpuMilliseconds, startGatewayProcess, stopProcess } from './processes.mjs';
import { formatNumber, median, percentile } from './stats.mjs';

const PROMPT = [{ role: 'user', content: 'Say hello in one short sentence.' }];
const openAIBody = (model, stream) => JSON.stringify({ model, stream, messages: [{ role: 'system', content: 'You are terse.' }, ...PROMPT] });
const anthropicBody = (model, stream) => JSON.stringify({ model, max_tokens: 256, stream, system: 'You are terse.', messages: PROMPT });

const openAISpec = (token) => (body) => ({ path: '/v1/chat/completions', headers: token ? { 'content-type': 'application/json', authorization: `Bearer ${token}` } : { 'content-type': 'application/json' }, body });
const anthropicSpec = (token) => (body) => ({
  path: '/v1/messages',
  headers: token ? { 'content-type': 'application/json', 'anthropic-version': '2023-06-01', 'x-api-key': token } : { 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
  body,
});

const responsesSpec = (token, model, stream) => ({
  path: '/v1/responses',
  headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
  body: JSON.stringify({ model, stream, store: false, instructions: 'You are terse.', input: PROMPT[0].content }),
});
const geminiSpec = (token, model, stream) => ({
  path: `/v1beta/models/${model}:${stream ? 'streamGenerateContent?alt=sse' : 'generateContent'}`,
  headers: { 'content-type': 'application/json', 'x-goog-api-key': token },
  body: JSON.stringify({ systemInstruction: { parts: [{ text: 'You are terse.' }] }, contents: [{ role: 'user', parts: [{ text: PROMPT[0].content }] }] }),
});

/** Targets: issue 12 for the two translated lanes it names; issues 13 and 14 for a Responses and a
 * Gemini client over an OpenAI-compatible chat upstream. Issue 14 names none for the delay between
 * chunks: the Gemini lane's is printed, without a verdict. */
const PIPELINE_TARGETS = { p50: 0.5, cpu: 0.25, delay: 0.1 };
const RESPONSES_TARGETS = { p50: 0.6, cpu: 0.4, delay: 0.1 };
const GEMINI_TARGETS = { p50: 0.6, cpu: 0.4 };

/** The translated lanes: what a client sends the gateway, and the same request in the upstream's
 * own dialect sent directly (the "direct" side). */
export const TRANSLATED_LANES = [
  {
    name: 'Anthropic client -> OpenAI upstream',
    gateway: (token, model, stream) => anthropicSpec(token)(anthropicBody(model, stream)),
    direct: (model, stream) => openAISpec()(openAIBody(model, stream)),
    targets: PIPELINE_TARGETS,
  },
  {
    name: 'OpenAI client -> Anthropic upstream',
    gateway: (token, model, stream) => openAISpec(token)(openAIBody(`anthropic/${model}`, stream)),
    direct: (model, stream) => anthropicSpec()(anthropicBody(model, stream)),
    targets: PIPELINE_TARGETS,
  },
  {
    name: 'Responses client -> OpenAI upstream',
    gateway: responsesSpec,
    direct: (model, stream) => openAISpec()(openAIBody(model, stream)),
    targets: RESPONSES_TARGETS,
  },
  {
    name: 'Gemini client -> OpenAI upstream',
    gateway: geminiSpec,
    direct: (model, stream) => openAISpec()(openAIBody(model, stream)),
    targets: GEMINI_TARGETS,
  },
];

const row = (name, direct, gateway, figure, unit, target, pass, digits = 3) => ({
  name,
  direct: direct === undefined ? '' : formatNumber(direct, digits),
  gateway: gateway === undefined ? '' : formatNumber(gateway, digits),
  figure: `${formatNumber(figure, digits)} ${unit}`,
  target,
  pass,
});

/** Runs `measure(side)` for every side, `rounds` times, starting each round with the next side. */
const rotated = async (sides, rounds, measure) => {
  const results = Object.fromEntries(sides.map((side) => [side, []]));
  for (let round = 0; round < rounds; round += 1) {
    for (let index = 0; index < sides.length; index += 1) {
      const side = sides[(round + index) % sides.length];
      results[side].push(await measure(side));
    }
  }
  return results;
};

/** Per round, a side's figure minus the direct one; the median over rounds. */
const addedOver = (results, side, key) => median(results[side].map((result, round) => result[key] - results.direct[round][key]));

const STAMP = /@([\d.]+)@/g;
const now = () => Number(process.hrtime.bigint()) / 1e6;

/** One stream from dialect-upstream.mjs's paced answers, in whatever dialect: time to the first
 * body byte, and for every chunk the delay from the upstream's write (stamped in its text) to its
 * arrival here. */
const timeStampedStream = async (pool, spec) => {
  const started = now();
  const { statusCode, body } = await pool.request({ path: spec.path, method: 'POST', headers: spec.headers, body: spec.body });
  if (statusCode !== 200) throw new Error(`stream status ${statusCode}: ${(await body.text()).slice(0, 300)}`);
  let firstByte;
  const delays = [];
  const seen = new Set();
  let pending = '';
  for await (const chunk of body) {
    const at = now();
    firstByte ??= at - started;
    pending += chunk.toString('utf8');
    // Stamps are searched in complete lines only, so one cut in two is not read as a shorter number.
    const end = pending.lastIndexOf('\n');
    if (end === -1) continue;
    // A stamp counts where it first arrives: a Responses stream repeats the text in its done events.
    for (const match of pending.slice(0, end).matchAll(STAMP)) {
      if (seen.has(match[1])) continue;
      seen.add(match[1]);
      delays.push(at - Number(match[1]));
    }
    pending = pending.slice(end + 1);
  }
  return { firstByte, delays };
};

const stampedStreams = async (pool, spec, count) => {
  const results = [];
  for (let index = 0; index < count; index += 1) results.push(await timeStampedStream(pool, spec));
  for (const result of results) if (result.delays.length !== 50) throw new Error(`a stream brought ${result.delays.length} of 50 stamped chunks`);
  return results;
};

const median3 = (results, side, key) => median(results[side].map((result) => result[key]));

/** The relay lane's added time to first byte (row 1 of issue 12), each chunk's added delay (info)
 * and a 1 MB prompt's added time (row 4), beside a bare node:http byte pipe (bare-proxy.mjs) started for this phase on the same
 * upstream: direct, gateway and bare pipe take turns round by round. Streams go back to back, as
 * in the 50-chunk stream phase. */
export const besideBarePipe = async (context, { rounds = 5, count = 14, promptRounds = 5, promptCount = 6, promptWarmUp = 80 } = {}) => {
  const bare = await startGatewayProcess({ upstreamUrl: context.upstream.url, bare: true });
  const barePool = createPool(bare.url, 4);
  const pools = { direct: context.pools.direct, gateway: context.pools.gateway, bare: barePool };
  const specsOf = (body) => ({ direct: context.specs.direct(body), gateway: context.specs.gateway(body), bare: openAISpec()(body) });
  const sides = ['direct', 'gateway', 'bare'];
  try {
    const streamed = specsOf(openAIBody('bench-pace-1', true));
    // The bare pipe is warmed as warmUp warmed the gateway (a pipe warmed by 20 streams only measured
    // 0.2-0.3 ms slower to its first byte than the same pipe warmed like the gateway, in the gateway's
    // column under --bare).
    await fixedCount(barePool, specsOf(openAIBody('bench-model', false)).bare, 4, 3_000);
    await streams(barePool, specsOf(openAIBody('bench-pace-0', true)).bare, 50, 4);
    await streams(barePool, streamed.bare, 20, 1);
    const firstBytes = await rotated(sides, rounds, async (side) => ({ ttfb: median((await streams(pools[side], streamed[side], count, 1)).map((timing) => timing.firstByte)) }));
    // Each chunk's delay through the relay lane and through the bare pipe: the floor the translated
    // lanes' per-chunk rows are held against (0.1 ms) is one more process's wake-up and write.
    const paced = specsOf(openAIBody('bench-lane-pace-1', true));
    await stampedStreams(barePool, paced.bare, 4);
    const chunks = await rotated(sides, 3, async (side) => ({ delay: median((await stampedStreams(pools[side], paced[side], 8)).flatMap((timing) => timing.delays)) }));
    // Encoded once: a string body would be encoded again for every request, in the load
    // generator's own process, and its fresh megabyte's page faults land in both columns at random.
    const prompt = specsOf(Buffer.from(JSON.stringify({ model: 'bench-model', stream: false, messages: [{ role: 'user', content: 'x'.repeat(1024 * 1024) }] })));
    // Steady state, as in every other row: the first tens of megabyte bodies on a connection pay for
    // its TCP windows growing and for each process's heap and malloc arena growing to hold them.
    for (const side of sides) await sequentialLatencies(pools[side], prompt[side], promptWarmUp);
    const prompts = await rotated(sides, promptRounds, async (side) => ({ ms: median(await sequentialLatencies(pools[side], prompt[side], promptCount)) }));
    const beyondBare = median(firstBytes.gateway.map((result, round) => result.ttfb - firstBytes.bare[round].ttfb));
    const promptAdded = addedOver(prompts, 'gateway', 'ms');
    return [
      row(
        'relay stream: time to first byte, gateway beside a bare node:http pipe (ms)',
        median3(firstBytes, 'direct', 'ttfb'),
        median3(firstBytes, 'gateway', 'ttfb'),
        beyondBare,
        `ms beyond the bare pipe (gateway +${formatNumber(addedOver(firstBytes, 'gateway', 'ttfb'), 3)}, bare +${formatNumber(addedOver(firstBytes, 'bare', 'ttfb'), 3)})`,
        '<= 0.05 ms',
        beyondBare <= 0.05,
      ),
      row(
        'relay stream: each chunk, upstream write to client, p50, beside a bare node:http pipe (ms)',
        median3(chunks, 'direct', 'delay'),
        median3(chunks, 'gateway', 'delay'),
        addedOver(chunks, 'gateway', 'delay'),
        `ms added (bare pipe +${formatNumber(addedOver(chunks, 'bare', 'delay'), 3)})`,
        'info',
        undefined,
      ),
      row('1 MB prompt, relay lane, non-streamed (ms)', median3(prompts, 'direct', 'ms'), median3(prompts, 'gateway', 'ms'), promptAdded, `ms added (bare pipe +${formatNumber(addedOver(prompts, 'bare', 'ms'), 2)})`, '<= 2 ms', promptAdded <= 2, 2),
    ];
  } finally {
    await barePool.close();
    await stopProcess(bare.child);
  }
};

const laneRows = async (context, lane, cpuPerRequest, { rounds, count, streamRounds, streamCount }) => {
  const pools = context.pools;
  const whole = { direct: lane.direct('bench-model', false), gateway: lane.gateway(context.token, 'bench-model', false) };
  const latency = await rotated(['direct', 'gateway'], rounds, async (side) => ({ p50: percentile(await sequentialLatencies(pools[side], whole[side], count), 0.5) }));
  const paced = { direct: lane.direct('bench-lane-pace-1', true), gateway: lane.gateway(context.token, 'bench-lane-pace-1', true) };
  const chunks = await rotated(['direct', 'gateway'], streamRounds, async (side) => ({ delay: median((await stampedStreams(pools[side], paced[side], streamCount)).flatMap((timing) => timing.delays)) }));
  const addedP50 = addedOver(latency, 'gateway', 'p50');
  const addedDelay = addedOver(chunks, 'gateway', 'delay');
  const column = (results, side, key) => median(results[side].map((result) => result[key]));
  return [
    row(`${lane.name}, non-streamed, c=1: p50 latency (ms)`, column(latency, 'direct', 'p50'), column(latency, 'gateway', 'p50'), addedP50, 'ms added', `<= ${lane.targets.p50} ms`, addedP50 <= lane.targets.p50),
    row(`${lane.name}: gateway CPU per request at 32 connections`, undefined, undefined, cpuPerRequest, 'ms', `<= ${lane.targets.cpu} ms`, cpuPerRequest <= lane.targets.cpu),
    row(
      `${lane.name}, streamed: each chunk, upstream write to client, p50 (ms)`,
      column(chunks, 'direct', 'delay'),
      column(chunks, 'gateway', 'delay'),
      addedDelay,
      'ms added',
      lane.targets.delay === undefined ? '' : `<= ${lane.targets.delay} ms`,
      lane.targets.delay === undefined ? undefined : addedDelay <= lane.targets.delay,
    ),
  ];
};

/** Each lane's gateway CPU per request at 32 connections: the median of its rounds, which take
 * turns with the other lanes' rounds, so that a slower stretch of the machine's time falls on every
 * lane alike rather than on whichever lane it happened to meet. */
const cpuPerRequestByLane = (context, lanes, { cpuRounds, cpuMs }) =>
  onSeparateCores({ measured: [context.gateway.child.pid], others: [context.upstream.child.pid] }, async () => {
    const specs = lanes.map((lane) => lane.gateway(context.token, 'bench-model', false));
    const rounds = await rotated(lanes.map((_, index) => index), cpuRounds, async (index) => {
      const before = cpuMilliseconds(context.gateway.child.pid);
      const { completed } = await throughput(context.pools.gateway, specs[index], 32, cpuMs);
      return (cpuMilliseconds(context.gateway.child.pid) - before) / completed;
    });
    return lanes.map((_, index) => median(rounds[index]));
  });

/** Row 2 of issue 12: each translated lane's added p50 at one connection, the gateway's CPU per
 * request, and each chunk's added delay (a chunk held back until the next would add a whole pace). */
export const translatedLanes = async (context, options = { rounds: 3, count: 600, cpuRounds: 5, cpuMs: 600, streamRounds: 3, streamCount: 8 }) => {
  const pools = context.pools;
  // `BENCH_LANE=Gemini` measures the lanes whose name holds it (while profiling one lane).
  const lanes = TRANSLATED_LANES.filter((lane) => !process.env.BENCH_LANE || lane.name.includes(process.env.BENCH_LANE));
  // Warm both lanes' code (and the upstream's) before anything is timed, under concurrency as the
  // warm-up of the whole bench does for the relay lane: the CPU rows measure the steady state.
  for (const lane of lanes) {
    await fixedCount(pools.gateway, lane.gateway(context.token, 'bench-model', false), 16, 3_000);
    await fixedCount(pools.direct, lane.direct('bench-model', false), 16, 1_000);
    await stampedStreams(pools.gateway, lane.gateway(context.token, 'bench-lane-pace-0', true), 10);
  }
  const cpu = await cpuPerRequestByLane(context, lanes, options);
  const rows = [];
  for (const [index, lane] of lanes.entries()) rows.push(...(await laneRows(context, lane, cpu[index], options)));
  return rows;
};
