import type { UsageRecord } from '../../proxy/usage/usage-record.js';

let sequence = 0;

/** A ledger record with plain defaults; tests set what they check. Costs are sums of binary
 * fractions where a test compares exact dollars. */
export const usageRecord = (fields: Partial<UsageRecord> & Pick<UsageRecord, 'time'>): UsageRecord => {
  sequence += 1;
  return {
    requestId: `req_${sequence}`,
    client: 'default',
    endpoint: '/v1/chat/completions',
    provider: 'modapi',
    model: 'gpt-4o',
    requestedModel: fields.model ?? 'gpt-4o',
    stream: false,
    status: 200,
    promptTokens: 0,
    completionTokens: 0,
    cachedTokens: 0,
    cacheCreationTokens: 0,
    reasoningTokens: 0,
    images: 0,
    audioSeconds: 0,
    videoSeconds: 0,
    characters: 0,
    costUsd: 0,
    costSource: 'catalog',
    costSourceDetail: null,
    latencyMs: 100,
    timeToFirstTokenMs: null,
    errorCode: null,
    ...fields,
  };
};
