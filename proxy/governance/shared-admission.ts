import { capKey } from '../store/counter-keys.js';
import type { HoldRefusal, RateDecision, SharedLimits } from '../store/store-seam.js';
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

const ADMITTED: RateDecision = { admitted: true };

/** Admission against limits every replica shares: the estimate is held against every cap at once
 * (the request's usage record settles the hold, keyed by request id) while the rate is taken, both
 * in one round trip's time. A hold whose rate is refused is released; a rate taken by a request its
 * budget refuses stays taken (it was asked for). The same refusals as the embedded counters give. */
export const admitShared = async (shared: SharedLimits, request: SharedAdmissionRequest): Promise<Admission> => {
  const { requester, caps, estimated, requestId } = request;
  const perMinute = requester.policy?.requestsPerMinute;
  const now = new Date();
  const holding: Promise<HoldRefusal | undefined> | undefined =
    estimated !== undefined && caps.length > 0 ? shared.reserve(requestId, caps.map((cap) => ({ cap, key: capKey(cap, now) })), estimated.usd) : undefined;
  const taking = perMinute === undefined ? ADMITTED : shared.takeRate(requester.name, perMinute);
  // Both settle before either decides, so no hold is left behind by a refusal.
  const [held, taken] = await Promise.allSettled([holding, taking]);
  if (held.status === 'rejected') throw held.reason;
  if (held.value && estimated) throw budgetRefusal(held.value, estimated, request.model);
  const rate = taken.status === 'fulfilled' ? taken.value : ADMITTED;
  if (!rate.admitted) {
    if (holding) shared.release(requestId);
    throw rateLimited(requester.name, perMinute ?? 0, rate.retryAfterSeconds);
  }
  return { reservedUsd: estimated?.usd, release: () => undefined };
};
