import { EventEmitter } from 'node:events';
import { GatewayError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { ResolvedModel } from '../providers/registry.js';
import type { UsageRecord } from '../usage/usage-record.js';
import type { UsageRollups } from '../usage/usage-rollups.js';
import { BudgetBook, capIdentity, capsFor, DEFAULT_WARN_AT, describeBudgetEvent, type BudgetCap, type BudgetEvent, type OverallBudget } from './budgets.js';
import type { Estimate } from './estimate.js';
import { RateLimiter, rateLimited } from './rate-limiter.js';
import { admitShared } from './shared-admission.js';
import type { SharedLimits } from '../store/store-seam.js';
import { refusedByPolicy, refusingPolicy, type TagPolicy } from './tag-policies.js';
import { modelAllowed } from './token-policy.js';
import type { Admission, Requester } from './admission.js';

export type { Admission, Requester } from './admission.js';

export interface GovernanceEvents {
  'budget-warning': [BudgetEvent];
  'budget-exceeded': [BudgetEvent];
}

/** Which client may call which model, how often and for how much. Admission runs where every
 * model route passes (RequestTracker.route); warnings are events (`budget-warning`,
 * `budget-exceeded`) for the extension, and log lines. */
export class Governance extends EventEmitter<GovernanceEvents> {
  private readonly book: BudgetBook;
  private readonly limiter: RateLimiter;
  /** `scope|client|period|periodKey|kind` of the warnings already given, so each fires once. */
  private readonly warned = new Set<string>();
  private shared: SharedLimits | undefined;
  private configPolicies: readonly TagPolicy[] = [];
  private storePolicies: readonly TagPolicy[] = [];
  /** Both, the config's first: the one list a request is checked against. */
  private tagPolicies: readonly TagPolicy[] = [];

  constructor(
    rollups: UsageRollups,
    private overall: OverallBudget,
    private readonly log: Logger,
    clock: { now: () => Date } = { now: () => new Date() },
  ) {
    super();
    this.book = new BudgetBook(rollups, clock.now);
    this.limiter = new RateLimiter(() => clock.now().getTime());
  }

  /** Replaces the overall budget (the extension's settings changed). */
  setOverallBudget(overall: OverallBudget): void {
    this.overall = overall;
  }

  get overallBudget(): OverallBudget {
    return this.overall;
  }

  /** The config's policies by tag or team (which models a request they match may use). */
  setTagPolicies(policies: readonly TagPolicy[]): void {
    this.configPolicies = policies;
    this.tagPolicies = [...policies, ...this.storePolicies];
  }

  /** The team store's policies, applied with the config's; replaced whenever the store's change. */
  setStorePolicies(policies: readonly TagPolicy[]): void {
    this.storePolicies = policies;
    this.tagPolicies = [...this.configPolicies, ...policies];
  }

  /** Lets a request in or throws: 403 model_not_allowed or policy_model_not_allowed, 429 rate_limited (with Retry-After),
   * 429 budget_exceeded. `estimate` is what the request is likely to cost (reserved while it runs). */
  admit(requester: Requester, resolved: ResolvedModel, estimate: () => Estimate, requestId = ''): Admission | Promise<Admission> {
    this.requireAllowed(requester, resolved);
    const caps = capsFor(this.overall, requester.name, requester.policy, requester);
    // Without a cap there is nothing to reserve against: the hot path skips the estimate.
    const estimated = caps.length > 0 ? estimate() : undefined;
    if (this.shared) return admitShared(this.shared, { requester, caps, estimated, requestId, model: resolved.requestedModel });
    if (estimated) {
      try {
        this.book.check(caps, estimated, resolved.requestedModel);
      } catch (error) {
        this.notifyExceeded(caps);
        throw error;
      }
    }
    this.takeRate(requester);
    return { reservedUsd: estimated?.usd, release: this.book.reserve(requester.name, estimated?.usd ?? 0, requester) };
  }

  /** Lets in a call that costs nothing and leaves no record (Anthropic's count_tokens): allowed
   * models and the request rate apply, budgets do not. */
  admitUnbilled(requester: Requester, resolved: ResolvedModel): void | Promise<void> {
    this.requireAllowed(requester, resolved);
    if (this.shared) return admitShared(this.shared, { requester, caps: [], estimated: undefined, requestId: '', model: resolved.requestedModel }).then(() => undefined);
    this.takeRate(requester);
  }

  /** Counts budgets and rates in a store every replica shares (a team store) instead of in memory. */
  shareLimits(shared: SharedLimits): void {
    this.shared = shared;
  }

  /** Whether a fallback model is open to this requester. */
  allows(requester: Requester, resolved: ResolvedModel): boolean {
    return modelAllowed(requester.policy, resolved) && !refusingPolicy(this.tagPolicies, requester, resolved);
  }

  /** After a record is counted: warns once per cap and period as spending passes the threshold. */
  recorded(record: UsageRecord, requester: Requester): void {
    // Shared counters are the team store's: this replica's rollups hold only its own share.
    if (this.shared || (!record.costUsd && !record.fallbackCostUsd)) return;
    const warnAt = this.overall.warnAt ?? DEFAULT_WARN_AT;
    for (const cap of capsFor(this.overall, record.client, requester.policy, requester)) {
      const event = this.book.eventFor(cap);
      if (event.fraction >= 1) this.notifyOnce('budget-exceeded', event);
      else if (event.fraction >= warnAt) this.notifyOnce('budget-warning', event);
    }
  }

  private requireAllowed(requester: Requester, resolved: ResolvedModel): void {
    if (!modelAllowed(requester.policy, resolved)) throw modelNotAllowed(requester.name, resolved.requestedModel);
    const policy = refusingPolicy(this.tagPolicies, requester, resolved);
    if (policy) throw refusedByPolicy(policy, resolved.requestedModel);
  }

  private takeRate(requester: Requester): void {
    const perMinute = requester.policy?.requestsPerMinute;
    if (perMinute === undefined) return;
    const taken = this.limiter.take(requester.name, perMinute);
    if (!taken.admitted) throw rateLimited(requester.name, perMinute, taken.retryAfterSeconds);
  }

  private notifyExceeded(caps: BudgetCap[]): void {
    for (const cap of caps) {
      const event = this.book.eventFor(cap);
      if (event.fraction >= 1) this.notifyOnce('budget-exceeded', event);
    }
  }

  private notifyOnce(kind: keyof GovernanceEvents, event: BudgetEvent): void {
    const key = `${capIdentity(event)}|${event.periodKey}|${kind}`;
    if (this.warned.has(key)) return;
    this.warned.add(key);
    this.log.warn(`budget: ${describeBudgetEvent(event)}${kind === 'budget-exceeded' ? '; further requests are refused' : ''}`);
    this.emit(kind, event);
  }
}

const modelNotAllowed = (client: string, model: string): GatewayError =>
  new GatewayError(403, `The local token "${client}" may not use the model '${model}'; its allowed models are set in the gateway's token configuration.`, {
    type: 'permission_error',
    param: 'model',
    code: 'model_not_allowed',
  });

