import { capKey } from '../store/counter-keys.js';
import type { SharedLimits } from '../store/store-seam.js';
import { budgetRefusal, type BudgetCap } from './budgets.js';
import type { Estimate } from './estimate.js';
import type { Admission, Requester } from './admission.js';
import { rateLimited } from './rate-limiter.js';

export interface SharedAdmissionRequest {
  requester: Requester;
  caps: BudgetCap[];
  estimated: Estimate | undefined;
  requestId: string;
  model: string;
}

/** Admission against limits every replica shares: the estimate is held against every cap at once
 * (the request's usage record settles the hold, keyed by request id), then the rate is taken. The
 * same refusals as the embedded counters give. */
export const admitShared = async (shared: SharedLimits, request: SharedAdmissionRequest): Promise<Admission> => {
  const { requester, caps, estimated, requestId } = request;
  const held = estimated !== undefined && caps.length > 0;
  if (held) {
    const now = new Date();
    const refusal = await shared.reserve(requestId, caps.map((cap) => ({ cap, key: capKey(cap, now) })), estimated.usd);
    if (refusal) throw budgetRefusal(refusal, estimated, request.model);
  }
  const perMinute = requester.policy?.requestsPerMinute;
  if (perMinute !== undefined) {
    const taken = await shared.takeRate(requester.name, perMinute);
    if (!taken.admitted) {
      if (held) shared.release(requestId);
      throw rateLimited(requester.name, perMinute, taken.retryAfterSeconds);
    }
  }
  return { reservedUsd: estimated?.usd, release: () => undefined };
};
