import { GatewayError } from '../errors.js';
import type { UsageRollups } from '../usage/usage-rollups.js';
import type { Estimate } from './estimate.js';
import type { TokenPolicy } from './token-policy.js';

export type BudgetPeriod = 'day' | 'month';

/** One cap: overall or one token's, for the current UTC day or month. */
export interface BudgetCap {
  scope: 'overall' | 'token';
  /** The token's name for a token's cap. */
  client?: string;
  period: BudgetPeriod;
  capUsd: number;
}

/** What a budget warning or refusal says; no token, only its name. */
export interface BudgetEvent extends BudgetCap {
  /** `2026-11-22` or `2026-11`. */
  periodKey: string;
  spentUsd: number;
  fraction: number;
}

export interface OverallBudget {
  dailyUsd?: number;
  monthlyUsd?: number;
  /** Fraction of a cap at which the warning fires (0.8 unless set). */
  warnAt?: number;
  /** What a request to a model without a price reserves, and counts when its cost stays unknown;
   * unset, the worst case at the highest known prices (governance/estimate.ts). */
  unpricedUsdPerRequest?: number;
}

export const DEFAULT_WARN_AT = 0.8;

const periodKey = (now: Date, period: BudgetPeriod): string => now.toISOString().slice(0, period === 'day' ? 10 : 7);

export const capsFor = (overall: OverallBudget, client: string, policy: TokenPolicy | undefined): BudgetCap[] => {
  const caps: BudgetCap[] = [];
  if (overall.dailyUsd !== undefined) caps.push({ scope: 'overall', period: 'day', capUsd: overall.dailyUsd });
  if (overall.monthlyUsd !== undefined) caps.push({ scope: 'overall', period: 'month', capUsd: overall.monthlyUsd });
  if (policy?.dailyBudgetUsd !== undefined) caps.push({ scope: 'token', client, period: 'day', capUsd: policy.dailyBudgetUsd });
  if (policy?.monthlyBudgetUsd !== undefined) caps.push({ scope: 'token', client, period: 'month', capUsd: policy.monthlyBudgetUsd });
  return caps;
};

/** Spending against caps: what the ledger's rollups say was spent (a request of unknown cost at
 * what it reserved), plus what requests in flight have reserved. Admission reserves an estimate
 * and the request's record settles it, so the cap is passed by at most what the requests in
 * flight at the last admission cost above their estimates. */
export class BudgetBook {
  private reservedOverall = 0;
  private readonly reservedByClient = new Map<string, number>();

  constructor(
    private readonly rollups: UsageRollups,
    private readonly now: () => Date = () => new Date(),
  ) {}

  spentUsd(cap: BudgetCap): number {
    return this.rollups.spentUsd(periodKey(this.now(), cap.period), cap.scope === 'token' ? cap.client : undefined);
  }

  reservedUsd(cap: BudgetCap): number {
    return cap.scope === 'overall' ? this.reservedOverall : (this.reservedByClient.get(cap.client ?? '') ?? 0);
  }

  eventFor(cap: BudgetCap): BudgetEvent {
    const spentUsd = this.spentUsd(cap);
    return { ...cap, periodKey: periodKey(this.now(), cap.period), spentUsd, fraction: spentUsd / cap.capUsd };
  }

  /** Refuses (429 budget_exceeded) when a cap cannot take the estimate on top of what is spent and
   * reserved. `model` names the model in a refusal that its lack of a price explains. */
  check(caps: BudgetCap[], estimate: Estimate, model: string): void {
    for (const cap of caps) {
      const spentUsd = this.spentUsd(cap);
      const committedUsd = spentUsd + this.reservedUsd(cap);
      if (capRefuses(cap, committedUsd, estimate.usd)) throw budgetRefusal({ cap, spentUsd, committedUsd }, estimate, model);
    }
  }

  /** Holds an estimate for a request in flight; the returned function releases it (once). */
  reserve(client: string, estimateUsd: number): () => void {
    if (estimateUsd <= 0) return () => undefined;
    this.reservedOverall += estimateUsd;
    this.reservedByClient.set(client, (this.reservedByClient.get(client) ?? 0) + estimateUsd);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.reservedOverall = Math.max(0, this.reservedOverall - estimateUsd);
      const left = (this.reservedByClient.get(client) ?? 0) - estimateUsd;
      if (left > 1e-12) this.reservedByClient.set(client, left);
      else this.reservedByClient.delete(client);
    };
  }
}

const describeCap = (cap: BudgetCap): string =>
  `${cap.period === 'day' ? 'daily' : 'monthly'} budget of $${cap.capUsd.toFixed(2)}${cap.scope === 'token' ? ` for the local token "${cap.client}"` : ' of this gateway'}`;

const unpricedNote = (estimate: Estimate, model: string): string =>
  estimate.unpricedBasis
    ? ` (the model '${model}' has no known price, so a request reserves ${estimate.unpricedBasis}; a price for it in priceOverrides, or budget.unpricedUsdPerRequest (in VS Code modapi.budget.unpricedUsdPerRequest), sets it)`
    : '';

/** Whether a cap, with what is committed against it, cannot take a request's estimate. */
export const capRefuses = (cap: BudgetCap, committedUsd: number, estimateUsd: number): boolean => committedUsd >= cap.capUsd || committedUsd + estimateUsd > cap.capUsd;

/** The 429 for a request a cap cannot take, from what was spent and committed (spent plus held). */
export const budgetRefusal = (refused: { cap: BudgetCap; spentUsd: number; committedUsd: number }, estimate: Estimate, model: string): GatewayError => {
  const { cap, spentUsd, committedUsd } = refused;
  if (committedUsd >= cap.capUsd) return budgetExceeded(cap, `is used up ($${spentUsd.toFixed(4)} spent, with requests in flight counted)`);
  return budgetExceeded(cap, `cannot take this request: $${(cap.capUsd - committedUsd).toFixed(4)} is left with requests in flight counted, and it reserves $${estimate.usd.toFixed(4)}${unpricedNote(estimate, model)}`);
};

const budgetExceeded = (cap: BudgetCap, state: string): GatewayError =>
  new GatewayError(429, `The ${describeCap(cap)} ${state}; it renews at the start of the next UTC ${cap.period}.`, { type: 'rate_limit_error', code: 'budget_exceeded' });

export const describeBudgetEvent = (event: BudgetEvent): string =>
  `${Math.round(event.fraction * 100)}% of the ${describeCap(event)} spent ($${event.spentUsd.toFixed(4)}, ${event.periodKey})`;
