import { BudgetBook, capsFor, DEFAULT_WARN_AT, type BudgetCap, type BudgetEvent, type OverallBudget } from '../../proxy/governance/budgets.js';
import type { TokenPolicy } from '../../proxy/governance/token-policy.js';
import type { UsageRollups } from '../../proxy/usage/usage-rollups.js';
import type { BudgetState, BudgetView } from './protocol.js';
import { roundUsd } from './round-usd.js';

export interface NamedPolicy {
  name: string;
  policy?: TokenPolicy;
}

export const budgetState = (fraction: number, warnAt: number): BudgetState => (fraction >= 1 ? 'exceeded' : fraction >= warnAt ? 'warning' : 'ok');

const periodWord = (period: BudgetCap['period']): string => (period === 'day' ? 'Daily' : 'Monthly');

export const budgetLabel = (cap: Pick<BudgetCap, 'scope' | 'client' | 'period'>): string =>
  `${periodWord(cap.period)} budget ${cap.scope === 'token' ? `of "${cap.client}"` : '(all clients)'}`;

export const budgetId = (cap: Pick<BudgetCap, 'scope' | 'client' | 'period'>): string => [cap.scope, ...(cap.scope === 'token' ? [cap.client ?? ''] : []), cap.period].join('|');

export const budgetViewOf = (event: BudgetEvent, warnAt: number): BudgetView => ({
  id: budgetId(event),
  label: budgetLabel(event),
  period: event.period,
  periodKey: event.periodKey,
  capUsd: event.capUsd,
  spentUsd: roundUsd(event.spentUsd),
  fraction: event.fraction,
  warnAt,
  state: budgetState(event.fraction, warnAt),
});

/** Every cap in force (overall, then each token's) with what its current UTC day or month has
 * spent, as the gateway's own budget book counts it. */
export const budgetViews = (rollups: UsageRollups, overall: OverallBudget, tokens: readonly NamedPolicy[], now: () => Date = () => new Date()): BudgetView[] => {
  const book = new BudgetBook(rollups, now);
  const warnAt = overall.warnAt ?? DEFAULT_WARN_AT;
  const caps = [
    ...capsFor(overall, '', undefined),
    ...tokens.flatMap((token) => capsFor({}, token.name, token.policy)),
  ].filter((cap) => cap.capUsd > 0);
  return caps.map((cap) => budgetViewOf(book.eventFor(cap), warnAt));
};

/** The status bar text for the budgets past their warning, or undefined when all are fine. */
export const budgetHint = (budgets: readonly BudgetView[]): { text: string; tooltip: string; exceeded: boolean } | undefined => {
  const alarming = budgets.filter((budget) => budget.state !== 'ok').sort((a, b) => b.fraction - a.fraction);
  const worst = alarming[0];
  if (!worst) return undefined;
  const exceeded = worst.state === 'exceeded';
  return {
    text: `${exceeded ? '$(error)' : '$(warning)'} Budget ${Math.round(worst.fraction * 100)}%`,
    tooltip: alarming.map((budget) => `${budget.label}: $${budget.spentUsd.toFixed(2)} of $${budget.capUsd.toFixed(2)} (${Math.round(budget.fraction * 100)}%, ${budget.periodKey})${budget.state === 'exceeded' ? ', requests refused' : ''}`).join('\n'),
    exceeded,
  };
};
