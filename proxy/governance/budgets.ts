import { GatewayError } from '../errors.js';
import type { UsageRollups } from '../usage/usage-rollups.js';
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

/** Spending against caps: what the ledger's rollups say was spent, plus what requests in flight
 * have reserved. Admission reserves an estimate and the request's record settles it, so requests
 * admitted together can overspend a cap by at most the part of their cost their estimates missed. */
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

  /** Refuses (429 budget_exceeded) when a cap cannot take the estimate on top of what is spent and reserved. */
  check(caps: BudgetCap[], estimateUsd: number): void {
    for (const cap of caps) {
      const committed = this.spentUsd(cap) + this.reservedUsd(cap);
      if (committed >= cap.capUsd || (estimateUsd > 0 && committed + estimateUsd > cap.capUsd)) throw budgetExceeded(cap, this.spentUsd(cap));
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

const budgetExceeded = (cap: BudgetCap, spentUsd: number): GatewayError =>
  new GatewayError(
    429,
    `The ${describeCap(cap)} is used up ($${spentUsd.toFixed(4)} spent, with requests in flight counted); it renews at the start of the next UTC ${cap.period}.`,
    { type: 'rate_limit_error', code: 'budget_exceeded' },
  );

export const describeBudgetEvent = (event: BudgetEvent): string =>
  `${Math.round(event.fraction * 100)}% of the ${describeCap(event)} spent ($${event.spentUsd.toFixed(4)}, ${event.periodKey})`;
