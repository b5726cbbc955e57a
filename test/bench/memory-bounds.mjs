// The memory rows of issue 16: the upstream offers a 200 MB answer (dialect-upstream.mjs,
// `bench-huge`) on every lane, and the gateway process's RSS must stay under 150 MB: streamed with
// a client that reads slowly (backpressure must slow the upstream down), and non-streamed (the
// gateway must refuse it with a 502 at its 32 MB cap on whole answers). A gateway of its own,
// started for this phase on the bench's upstream, so that what earlier phases left in its heap
// does not count here.
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { memoryAfterGc, rssMegabytes, startGatewayProcess, stopProcess } from './processes.mjs';
import { formatNumber } from './stats.mjs';

const LIMIT_MB = 150;
const openAIChat = (model, stream) => ({ path: '/v1/chat/completions', body: { model, stream, messages: [{ role: 'user', content: 'Say a lot.' }] } });
const anthropicMessages = (model, stream) => ({ path: '/v1/messages', body: { model, stream, max_tokens: 1024, messages: [{ role: 'user', content: 'Say a lot.' }] } });

/** Every stream lane: client dialect, upstream dialect (chosen by the model id's prefix). */
const LANES = [
  { name: 'OpenAI client -> OpenAI upstream', request: (stream) => openAIChat('bench-huge', stream) },
  { name: 'OpenAI client -> Anthropic upstream', request: (stream) => openAIChat('anthropic/bench-huge', stream) },
  { name: 'OpenAI client -> Gemini upstream', request: (stream) => openAIChat('gemini/bench-huge', stream) },
  { name: 'Anthropic client -> Anthropic upstream', request: (stream) => anthropicMessages('anthropic/bench-huge', stream) },
  { name: 'Anthropic client -> OpenAI upstream', request: (stream) => anthropicMessages('bench-huge', stream) },
];

/** Samples a process's RSS every few milliseconds until stopped; returns the peak in MB. */
const watchRss = (pid) => {
  let peak = rssMegabytes(pid);
  const timer = setInterval(() => {
    peak = Math.max(peak, rssMegabytes(pid));
  }, 5);
  return () => {
    clearInterval(timer);
    return Math.max(peak, rssMegabytes(pid));
  };
};

/** One request whose answer is read slowly: a pause after every chunk, for `durationMs`; then the
 * client leaves. Resolves with the status and the bytes it read. */
const readSlowly = (gateway, token, { path, body }, { pauseMs, durationMs }) =>
  new Promise((resolve, reject) => {
    const text = JSON.stringify(body);
    const outgoing = httpRequest(
      { host: '127.0.0.1', port: gateway.port, method: 'POST', path, agent: false, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), authorization: `Bearer ${token}` } },
      (answer) => {
        let read = 0;
        const leave = setTimeout(() => {
          answer.destroy();
          outgoing.destroy();
          resolve({ status: answer.statusCode, read });
        }, durationMs);
        answer.on('data', (chunk) => {
          read += chunk.length;
          answer.pause();
          setTimeout(() => answer.resume(), pauseMs);
        });
        answer.on('end', () => {
          clearTimeout(leave);
          resolve({ status: answer.statusCode, read });
        });
        answer.on('error', () => undefined);
      },
    );
    outgoing.on('error', (error) => {
      if (!outgoing.destroyed || error.code !== 'ECONNRESET') reject(error);
    });
    outgoing.end(text);
  });

/** How much of the huge answer the upstream got to write (dialect-upstream.mjs counts it). */
const offeredByUpstream = async (upstream) => {
  const response = await fetch(`${upstream.url}/bench/offered`);
  return response.json();
};

const waitUntilUpstreamStops = async (upstream) => {
  for (let attempt = 0; attempt < 250; attempt += 1) {
    const offered = await offeredByUpstream(upstream);
    if (offered.ended) return offered;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error('the upstream kept writing after the client left: the gateway did not close it');
};

const megabytes = (bytes) => bytes / 1024 / 1024;

/** One lane's huge answer: the gateway's peak RSS while it lasted, from a collected heap. */
const measure = async (context, gateway, lane, stream, reading) => {
  await memoryAfterGc(gateway);
  const before = rssMegabytes(gateway.child.pid);
  const stop = watchRss(gateway.child.pid);
  const outcome = await readSlowly(gateway, context.token, lane.request(stream), reading);
  const offered = await waitUntilUpstreamStops(context.upstream);
  return { before, peak: stop(), ...outcome, offered: megabytes(offered.bytes), of: megabytes(offered.of) };
};

const rowOf = (name, result, pass, detail) => ({
  name,
  direct: '',
  gateway: formatNumber(result.before, 1),
  figure: `${formatNumber(result.peak, 1)} MB peak RSS (${detail})`,
  target: `<= ${LIMIT_MB} MB`,
  pass,
});

/** Ordinary requests on every lane first, so that the gateway measured has loaded and compiled
 * what it runs, as any gateway that has served a while has (its RSS settles, see the rows' "before"). */
const warmUp = async (gateway, token, rounds = 20) => {
  for (let round = 0; round < rounds; round += 1) {
    for (const lane of LANES) {
      for (const stream of [false, true]) {
        const { path, body } = lane.request(stream);
        const answer = await fetch(`http://127.0.0.1:${gateway.port}${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: JSON.stringify({ ...body, model: body.model.replace('bench-huge', stream ? 'bench-lane-pace-0' : 'bench-model') }),
        });
        await answer.arrayBuffer();
        if (answer.status !== 200) throw new Error(`warming ${lane.name}: status ${answer.status}`);
      }
    }
  }
};

export const memoryBounds = async (context, reading = { pauseMs: 50, durationMs: 1_200 }) => {
  const gateway = await startGatewayProcess({ upstreamUrl: context.upstream.url, token: context.token, key: context.key, ledgerDir: join(context.workDirectory, 'ledger-memory') });
  const rows = [];
  try {
    await warmUp(gateway, context.token);
    for (const lane of LANES) {
      const result = await measure(context, gateway, lane, true, reading);
      const detail = `client read ${formatNumber(megabytes(result.read), 1)} MB, upstream wrote ${formatNumber(result.offered, 1)} of ${formatNumber(result.of, 0)} MB`;
      rows.push(rowOf(`slow reader, 200 MB stream, ${lane.name} (MB)`, result, result.status === 200 && result.peak <= LIMIT_MB, detail));
    }
    for (const lane of LANES) {
      // The client reads at full speed here: the 502 comes as soon as the gateway has counted 32 MB.
      const result = await measure(context, gateway, lane, false, { pauseMs: 0, durationMs: 30_000 });
      const detail = `status ${result.status}, upstream wrote ${formatNumber(result.offered, 1)} of ${formatNumber(result.of, 0)} MB`;
      rows.push(rowOf(`200 MB non-streamed answer, ${lane.name} (MB)`, result, result.status === 502 && result.peak <= LIMIT_MB, detail));
    }
  } finally {
    await stopProcess(gateway.child);
  }
  return rows;
};
