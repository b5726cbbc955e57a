import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { UsageRecord } from '../../proxy/usage/usage-record.js';

const MODELS = [
  ['modapi', 'gpt-4o'],
  ['modapi', 'gpt-4.1-nano'],
  ['anthropic', 'claude-sonnet-4-5'],
  ['gemini', 'gemini-2.5-flash'],
  ['openrouter', 'meta-llama/llama-3.3-70b'],
] as const;
const CLIENTS = ['default', 'aider', 'claude-code', 'continue', 'chat-view'];
const ENDPOINTS = ['/v1/chat/completions', '/v1/embeddings', '/v1/images/generations', '/v1/messages'];

/** A small deterministic generator (mulberry32), so generated ledgers are the same on every run. */
export const seededRandom = (seed: number): (() => number) => {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
  };
};

const pick = <T>(random: () => number, items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;

/** A plausible record at `time`; about one in twelve has an unknown cost, one in twenty failed. */
export const generatedRecord = (random: () => number, time: Date, index: number): UsageRecord => {
  const [provider, model] = pick(random, MODELS);
  const promptTokens = Math.floor(random() * 4000);
  const completionTokens = Math.floor(random() * 1000);
  const unknown = random() < 1 / 12;
  const failed = random() < 1 / 20;
  return {
    time: time.toISOString(),
    requestId: `req_${index.toString(16).padStart(12, '0')}`,
    client: pick(random, CLIENTS),
    endpoint: pick(random, ENDPOINTS),
    provider,
    model,
    requestedModel: provider === 'modapi' ? model : `${provider}/${model}`,
    stream: random() < 0.5,
    status: failed ? 502 : 200,
    promptTokens,
    completionTokens,
    cachedTokens: Math.floor(promptTokens * random() * 0.5),
    cacheCreationTokens: 0,
    reasoningTokens: Math.floor(completionTokens * random() * 0.3),
    images: 0,
    audioSeconds: 0,
    videoSeconds: 0,
    characters: 0,
    costUsd: unknown ? null : Math.round((promptTokens * 2.5 + completionTokens * 10) / 1e6 * 1e10) / 1e10,
    costSource: unknown ? 'unknown' : 'catalog',
    costSourceDetail: unknown ? 'no price known for this model' : "vendors' public pricing pages, 2025-10-01",
    latencyMs: Math.round(random() * 5000),
    timeToFirstTokenMs: Math.round(random() * 800),
    errorCode: failed ? 'upstream_stream_broken' : null,
    // Attribution from the index, not the random sequence, so the records above stay as they were.
    ...(index % 3 === 0 ? {} : { team: index % 2 === 0 ? 'research' : 'support' }),
    ...(index % 4 === 0 ? {} : { tags: { customer: `customer-${index % 5}`, ...(index % 7 === 0 ? { feature: 'summarize' } : {}) } }),
    ...(index % 6 === 0 ? { user: `user-${index % 4}` } : {}),
  };
};

/** `perDay` records a day for `days` days from `start` (UTC), in time order. */
export function* generatedRecords(start: Date, days: number, perDay: number, seed = 7): Generator<UsageRecord> {
  const random = seededRandom(seed);
  const dayMs = 86_400_000;
  let index = 0;
  for (let day = 0; day < days; day += 1) {
    for (let slot = 0; slot < perDay; slot += 1) {
      yield generatedRecord(random, new Date(start.getTime() + day * dayMs + Math.floor((slot * dayMs) / perDay)), index);
      index += 1;
    }
  }
}

/** Writes records (in time order) straight into a ledger folder's monthly files, as a ledger that
 * ran for that long would have, without saved rollups; one month in memory at a time. Returns the
 * number of records written. */
export const writeLedgerFiles = (dir: string, records: Iterable<UsageRecord>): number => {
  mkdirSync(dir, { recursive: true });
  let lines: string[] = [];
  let month: string | undefined;
  let count = 0;
  const flush = () => {
    if (month !== undefined && lines.length > 0) appendFileSync(join(dir, `usage-${month}.jsonl`), lines.join(''));
    lines = [];
  };
  for (const record of records) {
    const recordMonth = record.time.slice(0, 7);
    if (recordMonth !== month) {
      flush();
      month = recordMonth;
    }
    lines.push(`${JSON.stringify(record)}\n`);
    count += 1;
    if (lines.length >= 50_000) flush();
  }
  flush();
  return count;
};
