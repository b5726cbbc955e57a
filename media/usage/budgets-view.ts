import type { BudgetView } from '../../extension/usage/protocol.js';
import { h } from '../chat/dom.js';
import { formatPercent, formatUsd } from './format.js';

const STATE_WORDS = { ok: 'within budget', warning: 'past the warning threshold', exceeded: 'cap reached: requests are refused' } as const;

/** A bar per budget: spent against the cap, with the warning threshold marked on it. */
const budgetBar = (budget: BudgetView): HTMLElement => {
  const fill = h('div', { className: 'budget-fill' });
  fill.style.width = `${Math.min(100, budget.fraction * 100)}%`;
  const mark = h('div', { className: 'budget-mark', attributes: { 'aria-hidden': 'true', title: `Warning at ${formatPercent(budget.warnAt)}` } });
  mark.style.left = `${budget.warnAt * 100}%`;
  return h(
    'div',
    { className: `budget budget-${budget.state}`, attributes: { 'data-budget': budget.id, 'data-state': budget.state } },
    h(
      'div',
      { className: 'budget-head' },
      h('span', { className: 'budget-label', text: budget.label }),
      h('span', { className: 'budget-numbers', text: `${formatUsd(budget.spentUsd)} of ${formatUsd(budget.capUsd)} (${formatPercent(budget.fraction)})` }),
    ),
    h(
      'div',
      {
        className: 'budget-track',
        attributes: {
          role: 'progressbar',
          'aria-label': `${budget.label}, ${budget.periodKey}`,
          'aria-valuemin': '0',
          'aria-valuemax': String(budget.capUsd),
          'aria-valuenow': String(budget.spentUsd),
          'aria-valuetext': `${formatUsd(budget.spentUsd)} of ${formatUsd(budget.capUsd)}, ${STATE_WORDS[budget.state]}`,
        },
      },
      fill,
      mark,
    ),
    h('p', { className: 'budget-state', text: `${budget.periodKey}: ${STATE_WORDS[budget.state]}; warning at ${formatPercent(budget.warnAt)}` }),
  );
};

export const budgetsView = (budgets: readonly BudgetView[]): HTMLElement =>
  h(
    'section',
    { className: 'panel-section budgets', attributes: { 'aria-labelledby': 'budgets-title' } },
    h('h2', { attributes: { id: 'budgets-title' }, text: 'Budgets' }),
    budgets.length > 0
      ? h('div', { className: 'budget-list' }, ...budgets.map(budgetBar))
      : h('p', { className: 'muted', text: 'No budget set. Set a daily or monthly cap in the settings (modapi.budget.daily, modapi.budget.monthly).' }),
  );
