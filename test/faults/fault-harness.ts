import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import type { Server } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { closeUpstreamPools } from '../../proxy/upstream/http-client.js';
import type { RunningGateway } from '../../proxy/server/gateway-server.js';
import type { BodyLimits } from '../../proxy/server/gateway-context.js';
import type { UsageRecord } from '../../proxy/usage/usage-record.js';
import { FakeUpstream, sendJson, type FakeHandler } from '../support/fake-upstream.js';
import { fixtureJson } from '../support/fixtures.js';
import { startTestGateway, TEST_KEY, TEST_TOKEN } from '../support/gateway.js';

/** A gateway over a fake upstream, with every usage record collected, and the checks each fault
 * test runs afterwards: no leaked sockets or handles, still serving, one record per model call. */
export class FaultBench {
  readonly records: UsageRecord[] = [];
  /** The ledger's folder: its files must hold exactly the records the sink saw. */
  readonly ledgerDir = mkdtempSync(join(tmpdir(), 'modapi-faults-'));
  upstream!: FakeUpstream;
  gateway!: RunningGateway;
  private baseline: string[] = [];
  private modelCallsBefore = 0;
  private recordsBefore = 0;

  /** What the fake upstream does with the next model calls (chat and transcription). */
  fault: FakeHandler = (_request, response) => sendJson(response, 500, 'no fault set');

  async start(timeouts = { headersMs: 300, bodyMs: 300 }, limits?: Partial<BodyLimits>): Promise<void> {
    const dispatch: FakeHandler = (request, response) => {
      if (request.body.includes('still-serving')) return sendJson(response, 200, fixtureJson('openai/chat-completion-text-gpt-4-1-nano.vercel.json'));
      return this.fault(request, response);
    };
    this.upstream = new FakeUpstream().on('POST /v1/chat/completions', dispatch).on('POST /v1/audio/transcriptions', dispatch);
    await this.upstream.start();
    this.gateway = await startTestGateway({
      providers: { modapi: { baseUrl: this.upstream.url(), apiKey: TEST_KEY } },
      timeouts,
      limits,
      ledgerDir: this.ledgerDir,
      usage: { record: (record) => this.records.push(record) },
    });
    await this.settle();
    this.baseline = activeResources();
  }

  async stop(): Promise<void> {
    await this.gateway.close(1_000);
    await this.upstream.close();
    rmSync(this.ledgerDir, { recursive: true, force: true });
  }

  /** Record lines in the ledger's files (JSON lines, one file a month). */
  ledgerLines(): number {
    return readdirSync(this.ledgerDir)
      .filter((name) => name.endsWith('.jsonl'))
      .reduce((sum, name) => sum + readFileSync(join(this.ledgerDir, name), 'utf8').split('\n').filter((line) => line.includes('"requestId"')).length, 0);
  }

  /** Marks the start of a case: model calls and records are counted from here. */
  mark(fault?: FakeHandler): void {
    if (fault) this.fault = fault;
    this.modelCallsBefore = this.modelCalls();
    this.recordsBefore = this.records.length;
  }

  /** Requests the fake upstream saw on model endpoints since the mark. */
  modelCalls(): number {
    return this.upstream.requests.filter((request) => request.url.startsWith('/v1/chat/') || request.url.startsWith('/v1/audio/')).length;
  }

  /** The checks after a fault: the pool closes (nothing in flight hangs), every socket and handle is
   * gone, the gateway still answers, and each request that reached the model left one record. */
  async assertRecovered(expectedRecords?: number): Promise<void> {
    await this.settle();
    const calls = this.modelCalls() - this.modelCallsBefore;
    const expected = expectedRecords ?? calls;
    await eventually(() => this.records.length - this.recordsBefore === expected, () => `expected ${expected} usage records since the case began, got ${this.records.length - this.recordsBefore}`);
    for (const record of this.records.slice(this.recordsBefore)) {
      assert.ok(Number.isInteger(record.status) && record.status >= 200, `record status ${record.status}`);
      for (const field of ['promptTokens', 'completionTokens', 'cachedTokens', 'reasoningTokens', 'latencyMs'] as const) {
        assert.ok(Number.isFinite(record[field]) && record[field] >= 0, `record ${field} is ${JSON.stringify(record[field])}`);
      }
      assert.equal(JSON.stringify(record).includes(TEST_KEY), false);
      assert.equal(JSON.stringify(record).includes(TEST_TOKEN), false);
    }
    assert.equal(this.ledgerLines(), this.records.length, 'the ledger files do not hold the records the requests produced');
    this.mark();
    const answer = await send({ port: this.gateway.port, path: '/v1/chat/completions', body: chatBody(false, 'still-serving') });
    assert.equal(answer.status, 200, `the gateway no longer serves: ${answer.body}`);
    await eventually(() => this.records.length === this.recordsBefore + 1, () => 'the request after the fault left no usage record');
    await this.settle();
    this.mark();
  }

  /** Closes the gateway's upstream pool (it hangs if a request is still in flight) and waits for
   * every connection and handle to be gone. */
  async settle(): Promise<void> {
    await withDeadline(closeUpstreamPools(), 3_000, 'the upstream pool did not close: a request is still in flight');
    await eventually(async () => (await connections(this.gateway.server)) === 0 && (await connections(this.upstreamServer())) === 0, async () => `sockets still open: gateway ${await connections(this.gateway.server)}, fake upstream ${await connections(this.upstreamServer())}`);
    if (this.baseline.length > 0) await eventually(() => sameResources(this.baseline, activeResources()), () => `active resources ${JSON.stringify(activeResources())} differ from the baseline ${JSON.stringify(this.baseline)}`);
  }

  private upstreamServer(): Server {
    return (this.upstream as unknown as { server: Server }).server;
  }
}

// File reads in flight (the catalog, the ledger) are transient, not leaks; the terminal is the runner's.
const activeResources = (): string[] => process.getActiveResourcesInfo().filter((kind) => kind !== 'TTYWrap' && !kind.startsWith('FSReq')).sort();

const sameResources = (baseline: string[], now: string[]): boolean => JSON.stringify(baseline) === JSON.stringify(now);

const connections = (server: Server): Promise<number> => new Promise((resolve, reject) => server.getConnections((error, count) => (error ? reject(error) : resolve(count))));

const withDeadline = async <T>(promise: Promise<T>, milliseconds: number, message: string): Promise<T> => {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(message)), milliseconds);
  });
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
};

/** Polls a condition for up to five seconds (CI machines are slow and shared). */
export const eventually = async (condition: () => boolean | Promise<boolean>, explain: () => string | Promise<string>, milliseconds = 5_000): Promise<void> => {
  const deadline = Date.now() + milliseconds;
  while (!(await condition())) {
    if (Date.now() > deadline) assert.fail(await explain());
    await sleep(10);
  }
};

export const chatBody = (stream: boolean, content = 'hi'): string => JSON.stringify({ model: 'gpt-4o', stream, messages: [{ role: 'user', content }] });

export interface Answer {
  status: number;
  headers: IncomingMessage['headers'];
  body: string;
}

export interface SendOptions {
  port: number;
  path: string;
  method?: string;
  body?: string | Buffer;
  headers?: Record<string, string>;
}

/** One request on its own connection (closed afterwards), its answer read whole. */
export const send = (options: SendOptions): Promise<Answer> =>
  new Promise((resolve, reject) => {
    const outgoing = openRequest(options, (incoming) => {
      const chunks: Buffer[] = [];
      incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
      incoming.on('end', () => resolve({ status: incoming.statusCode ?? 0, headers: incoming.headers, body: Buffer.concat(chunks).toString('utf8') }));
      incoming.on('error', reject);
    });
    outgoing.on('error', reject);
    outgoing.end(options.body);
  });

/** A request the caller drives (to abort it at a chosen moment). No keep-alive: one connection each. */
export const openRequest = (options: SendOptions, onResponse?: (incoming: IncomingMessage) => void) =>
  httpRequest(
    {
      host: '127.0.0.1',
      port: options.port,
      path: options.path,
      method: options.method ?? 'POST',
      agent: false,
      headers: { authorization: `Bearer ${TEST_TOKEN}`, 'content-type': 'application/json', connection: 'close', ...options.headers },
    },
    onResponse,
  );

/** The error an OpenAI client would see: the body has OpenAI's error shape. */
export const assertOpenAIError = (answer: Answer, status: number): void => {
  assert.equal(answer.status, status, answer.body);
  const body = JSON.parse(answer.body) as { error?: { message?: unknown; type?: unknown } };
  assert.equal(typeof body.error?.message, 'string');
  assert.equal(typeof body.error?.type, 'string');
};
