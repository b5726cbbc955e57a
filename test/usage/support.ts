import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import OpenAI from 'openai';
import type { GatewayOptions, RunningGateway } from '../../proxy/server/gateway-server.js';
import type { UsageRecord } from '../../proxy/usage/usage-record.js';
import { sendRecording, type Recording } from '../conformance/support.js';
import { FakeUpstream, sendJson } from '../support/fake-upstream.js';
import { startTestGateway, TEST_KEY, TEST_TOKEN } from '../support/gateway.js';

/** One fake upstream speaking all three dialects (OpenAI under /v1, Anthropic and Gemini at the
 * root), a gateway in front of it with its in-memory ledger, and an openai client. */
export interface UsageHarness {
  upstream: FakeUpstream;
  gateway: RunningGateway;
  client: OpenAI;
  serve(route: string, recording: Recording): void;
  /** The ledger's records, oldest first. */
  records(): UsageRecord[];
  close(): Promise<void>;
}

export const startUsageHarness = async (options: Partial<GatewayOptions> = {}): Promise<UsageHarness> => {
  const upstream = await new FakeUpstream().start();
  const gateway = await startTestGateway({
    providers: {
      modapi: { baseUrl: upstream.url('/v1'), apiKey: TEST_KEY },
      anthropic: { baseUrl: upstream.url(''), apiKey: TEST_KEY },
      gemini: { baseUrl: upstream.url(''), apiKey: TEST_KEY },
    },
    ...options,
  });
  return {
    upstream,
    gateway,
    client: new OpenAI({ baseURL: gateway.url, apiKey: TEST_TOKEN, maxRetries: 0 }),
    serve: (route, recording) => {
      upstream.on(route, (_request, response) => sendRecording(response, recording));
    },
    records: () => gateway.context.ledger!.recent(1_000).reverse(),
    close: async () => {
      await gateway.close();
      await upstream.close();
    },
  };
};

/** Waits until the ledger holds `count` records (a cut response is recorded a moment after it closes). */
export const waitForRecords = async (harness: UsageHarness, count: number, timeoutMs = 5_000): Promise<UsageRecord[]> => {
  const deadline = Date.now() + timeoutMs;
  while (harness.records().length < count) {
    if (Date.now() > deadline) throw new Error(`expected ${count} ledger records, have ${harness.records().length}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return harness.records();
};

/** The accounting part of a record: what streamed and whole runs must agree on. */
export const accounting = (record: UsageRecord | undefined) => {
  if (!record) throw new Error('no record');
  const { promptTokens, completionTokens, cachedTokens, cacheCreationTokens, reasoningTokens, costUsd, costSource, costSourceDetail, provider, model } = record;
  return { provider, model, promptTokens, completionTokens, cachedTokens, cacheCreationTokens, reasoningTokens, costUsd, costSource, costSourceDetail };
};

/** An OpenAI-compatible upstream answering each chat completion, once `ready` resolves, with
 * `usage` (none when undefined). */
export const chatUpstream = (usage: Record<string, number> | undefined, ready: () => Promise<unknown> = () => Promise.resolve()): FakeUpstream =>
  new FakeUpstream().on('POST /v1/chat/completions', async (request, response) => {
    await ready();
    sendJson(response, 200, {
      id: 'chatcmpl-1',
      object: 'chat.completion',
      created: 1,
      model: request.json().model,
      choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }],
      ...(usage ? { usage } : {}),
    });
  });

/** Everything an async iterable gives, in order (Array.fromAsync needs Node 22). */
export const collect = async <T>(items: AsyncIterable<T>): Promise<T[]> => {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
};

/** A temporary folder, removed once the test that asked for it has ended. */
export const tempFolder = (): string => {
  const folder = mkdtempSync(join(tmpdir(), 'modapi-ledger-'));
  after(() => rmSync(folder, { recursive: true, force: true }));
  return folder;
};
