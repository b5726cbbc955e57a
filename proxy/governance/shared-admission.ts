import { capKey } from '../store/counter-keys.js';
import type { SharedLimits } from '../store/store-seam.js';
import type { Admission, Requester } from './admission.js';
import { budgetRefusal, type BudgetCap } from './budgets.js';
import type { Estimate } from './estimate.js';
import { rateLimited } from './rate-limiter.js';

export interface SharedAdmissionRequest {
  requester: Requester;
  caps: BudgetCap[];
  estimated: Estimate | undefined;
  requestId: string;
  model: string;
}

/** Admission against limits every replica shares, in one step: the estimate is held against every
 * cap (the request's usage record settles the hold, keyed by request id) and the rate is taken, or
 * nothing is. The same refusals, in the same order, as the embedded counters give. */
export const admitShared = async (shared: SharedLimits, request: SharedAdmissionRequest): Promise<Admission> => {
  const { requester, estimated, requestId } = request;
  const perMinute = requester.policy?.requestsPerMinute;
  const now = new Date();
  const caps = estimated === undefined ? [] : request.caps.map((cap) => ({ cap, key: capKey(cap, now) }));
  // Under no cap and no rate, there is nothing to ask the shared store.
  if (caps.length === 0 && perMinute === undefined) return { reservedUsd: undefined, release: () => undefined };
  const decision = await shared.admit({ requestId, caps, amountUsd: estimated?.usd ?? 0, rate: perMinute === undefined ? undefined : { client: requester.name, perMinute } });
  if (decision && 'refusal' in decision && estimated) throw budgetRefusal(decision.refusal, estimated, request.model);
  if (decision && 'retryAfterSeconds' in decision) throw rateLimited(requester.name, perMinute ?? 0, decision.retryAfterSeconds);
  return { reservedUsd: estimated?.usd, release: () => undefined };
};
