import { GatewayError } from '../errors.js';
import type { UsageTags } from '../usage/usage-record.js';
import type { SpendScope, UsageRollups } from '../usage/usage-rollups.js';
import type { Estimate } from './estimate.js';
import type { TokenPolicy } from './token-policy.js';

export type BudgetPeriod = 'day' | 'month';

/** One cap: overall, one token's, one team's or one customer's, for the current UTC day or month. */
export interface BudgetCap {
  scope: 'overall' | 'token' | 'team' | 'customer';
  /** The token's name for a token's cap. */
  client?: string;
  /** The team for a team's cap. */
  team?: string;
  /** The `customer` tag's value for a customer's cap. */
  customer?: string;
  period: BudgetPeriod;
  capUsd: number;
}

export interface PeriodCaps {
  dailyUsd?: number;
  monthlyUsd?: number;
}

/** Beyond the token: its team and the request's tags (a customer's cap reads the `customer` tag). */
export interface BudgetSubject {
  team?: string;
  tags?: UsageTags;
}

export const CUSTOMER_TAG = 'customer';
/** In `customers`: the cap of each customer without an entry of its own. */
export const EVERY_CUSTOMER = '*';

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
  /** Per team (the tokens' `team`). */
  teams?: Record<string, PeriodCaps>;
  /** Per value of the `customer` tag; EVERY_CUSTOMER caps each customer without an entry. */
  customers?: Record<string, PeriodCaps>;
}

export const DEFAULT_WARN_AT = 0.8;

const periodKey = (now: Date, period: BudgetPeriod): string => now.toISOString().slice(0, period === 'day' ? 10 : 7);

type CapOwner = Omit<BudgetCap, 'period' | 'capUsd'>;

// Pushes rather than spreads: this runs on every request, most of them under no cap at all.
const addPeriodCaps = (caps: BudgetCap[], owner: CapOwner, dailyUsd: number | undefined, monthlyUsd: number | undefined): void => {
  if (dailyUsd !== undefined) caps.push({ ...owner, period: 'day', capUsd: dailyUsd });
  if (monthlyUsd !== undefined) caps.push({ ...owner, period: 'month', capUsd: monthlyUsd });
};

const customerOf = (subject: BudgetSubject): string | undefined => subject.tags?.[CUSTOMER_TAG];

/** A team's or customer's own entry: names come from requests, so `constructor` is just a name. */
const ownCaps = (caps: Record<string, PeriodCaps> | undefined, name: string): PeriodCaps | undefined => (caps && Object.hasOwn(caps, name) ? caps[name] : undefined);

export const capsFor = (overall: OverallBudget, client: string, policy: TokenPolicy | undefined, subject: BudgetSubject = {}): BudgetCap[] => {
  const caps: BudgetCap[] = [];
  addPeriodCaps(caps, { scope: 'overall' }, overall.dailyUsd, overall.monthlyUsd);
  if (policy) addPeriodCaps(caps, { scope: 'token', client }, policy.dailyBudgetUsd, policy.monthlyBudgetUsd);
  const team = subject.team && ownCaps(overall.teams, subject.team);
  if (team) addPeriodCaps(caps, { scope: 'team', team: subject.team }, team.dailyUsd, team.monthlyUsd);
  const customer = customerOf(subject);
  const customerCaps = customer && (ownCaps(overall.customers, customer) ?? ownCaps(overall.customers, EVERY_CUSTOMER));
  if (customerCaps) addPeriodCaps(caps, { scope: 'customer', customer }, customerCaps.dailyUsd, customerCaps.monthlyUsd);
  return caps;
};

/** Whether a request of this token may fall under a cap before its tags are known (team and
 * customer caps depend on them). */
export const mayBeCapped = (overall: OverallBudget, client: string, policy: TokenPolicy | undefined): boolean =>
  capsFor(overall, client, policy).length > 0 || Object.keys(overall.teams ?? {}).length > 0 || Object.keys(overall.customers ?? {}).length > 0;

/** The key a cap's reservations are held under; a request reserves under each of its own. */
const capKey = (cap: CapOwner): string => {
  if (cap.scope === 'token') return `token:${cap.client ?? ''}`;
  if (cap.scope === 'team') return `team:${cap.team ?? ''}`;
  if (cap.scope === 'customer') return `customer:${cap.customer ?? ''}`;
  return 'overall';
};

/** Every scope a request's spending counts in, whether or not a cap is set on it now. */
const reservationKeys = (client: string, subject: BudgetSubject): string[] => {
  const customer = customerOf(subject);
  return [
    capKey({ scope: 'overall' }),
    capKey({ scope: 'token', client }),
    ...(subject.team ? [capKey({ scope: 'team', team: subject.team })] : []),
    ...(customer ? [capKey({ scope: 'customer', customer })] : []),
  ];
};

/** A cap's identity for "warn once per cap and period". */
export const capIdentity = (cap: CapOwner & { period: BudgetPeriod }): string => `${capKey(cap)}|${cap.period}`;

const spendScopeOf = (cap: BudgetCap): SpendScope | undefined => {
  if (cap.scope === 'token') return { client: cap.client ?? '' };
  if (cap.scope === 'team') return { team: cap.team ?? '' };
  if (cap.scope === 'customer') return { tag: CUSTOMER_TAG, value: cap.customer ?? '' };
  return undefined;
};

/** Spending against caps: what the ledger's rollups say was spent (a request of unknown cost at
 * what it reserved), plus what requests in flight have reserved. Admission reserves an estimate
 * and the request's record settles it, so the cap is passed by at most what the requests in
 * flight at the last admission cost above their estimates. */
export class BudgetBook {
  /** What requests in flight hold, by capKey. */
  private readonly reserved = new Map<string, number>();

  constructor(
    private readonly rollups: UsageRollups,
    private readonly now: () => Date = () => new Date(),
  ) {}

  spentUsd(cap: BudgetCap): number {
    return this.rollups.spentUsd(periodKey(this.now(), cap.period), spendScopeOf(cap));
  }

  reservedUsd(cap: BudgetCap): number {
    return this.reserved.get(capKey(cap)) ?? 0;
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

  /** Holds an estimate for a request in flight under each scope it counts in (overall, its token,
   * its team, its customer); the returned function releases it (once). */
  reserve(client: string, estimateUsd: number, subject: BudgetSubject = {}): () => void {
    if (estimateUsd <= 0) return () => undefined;
    const keys = reservationKeys(client, subject);
    for (const key of keys) this.reserved.set(key, (this.reserved.get(key) ?? 0) + estimateUsd);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      for (const key of keys) {
        const left = (this.reserved.get(key) ?? 0) - estimateUsd;
        if (left > 1e-12) this.reserved.set(key, left);
        else this.reserved.delete(key);
      }
    };
  }
}

const OWNER_WORDS: Record<BudgetCap['scope'], (cap: BudgetCap) => string> = {
  overall: () => ' of this gateway',
  token: (cap) => ` for the local token "${cap.client}"`,
  team: (cap) => ` for the team "${cap.team}"`,
  customer: (cap) => ` for the customer "${cap.customer}"`,
};

const describeCap = (cap: BudgetCap): string => `${cap.period === 'day' ? 'daily' : 'monthly'} budget of $${cap.capUsd.toFixed(2)}${OWNER_WORDS[cap.scope](cap)}`;

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
