import { TEST_TOKEN } from '../support/gateway.js';
import type { LedgerView, ReportedUsage } from './neutral-view.js';
import type { ParityRecording } from './recordings.js';

/** The price every parity model is given (USD per million tokens), each kind of token at its own
 * rate, so a token counted under the wrong kind changes the cost. */
export const PARITY_PRICE = { input: 1, output: 4, cachedInput: 0.5, cacheWrite: 2, reasoning: 8 } as const;

/** Costs compare to the nano-dollar: the gateway and this file add the same terms in other orders. */
const roundCost = (cost: number | null): number | null => (cost === null ? null : Math.round(cost * 1e9) / 1e9);

/** How far back a record is looked for: the matrix runs a few cells at once, so a cell's record is
 * among the last few. */
const RECENT = 50;

/** The ledger record of one request, read through the gateway's usage API. */
export const readLedger = async (gatewayRoot: string, requestId: string): Promise<LedgerView> => {
  for (let attempt = 0; attempt < 40; attempt += 1) {
    const response = await fetch(`${gatewayRoot}/modapi/usage/recent?limit=${RECENT}`, { headers: { authorization: `Bearer ${TEST_TOKEN}` } });
    const records = ((await response.json()) as { data: any[] }).data;
    const record = records.find((entry) => entry.requestId === requestId);
    if (record) {
      return {
        status: record.status,
        errorCode: record.errorCode,
        promptTokens: record.promptTokens,
        completionTokens: record.completionTokens,
        cachedTokens: record.cachedTokens,
        cacheCreationTokens: record.cacheCreationTokens,
        reasoningTokens: record.reasoningTokens,
        costUsd: roundCost(record.costUsd),
        costSource: record.costSource,
      };
    }
    // A cut response is recorded a moment after it closes (request-tracker.ts); an answer at once.
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`no ledger record for ${requestId}`);
};

const hasTokens = (usage: ReportedUsage | undefined): usage is ReportedUsage => !!usage && usage.promptTokens + usage.completionTokens > 0;

/** The parity price applied to usage in OpenAI's meaning (cached and cache-written tokens are
 * parts of the prompt, reasoning tokens part of the completion). */
const priced = (usage: ReportedUsage): number => {
  const plainInput = usage.promptTokens - usage.cachedTokens - usage.cacheCreationTokens;
  const plainOutput = usage.completionTokens - usage.reasoningTokens;
  const input = plainInput * PARITY_PRICE.input + usage.cachedTokens * PARITY_PRICE.cachedInput + usage.cacheCreationTokens * PARITY_PRICE.cacheWrite;
  const output = plainOutput * PARITY_PRICE.output + usage.reasoningTokens * PARITY_PRICE.reasoning;
  return (input + output) / 1_000_000;
};

/** The ledger record a recording calls for: its usage and cost, or its error; an upstream's own
 * cost figure wins; a failure before any output costs nothing. */
export const expectedLedger = (recording: ParityRecording): LedgerView => {
  const { usage, error, choices } = recording.answer;
  const cost = (): Pick<LedgerView, 'costUsd' | 'costSource'> => {
    if (usage?.upstreamCostUsd !== undefined) return { costUsd: roundCost(usage.upstreamCostUsd), costSource: 'upstream' };
    if (hasTokens(usage)) return { costUsd: roundCost(priced(usage)), costSource: 'catalog' };
    if (error && choices.length === 0) return { costUsd: 0, costSource: 'none' };
    return { costUsd: null, costSource: 'unknown' };
  };
  return {
    status: error ? error.status : 200,
    errorCode: recording.errorCode,
    promptTokens: usage?.promptTokens ?? 0,
    completionTokens: usage?.completionTokens ?? 0,
    cachedTokens: usage?.cachedTokens ?? 0,
    cacheCreationTokens: usage?.cacheCreationTokens ?? 0,
    reasoningTokens: usage?.reasoningTokens ?? 0,
    ...cost(),
  };
};
