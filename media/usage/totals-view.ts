import type { PeriodTotals } from '../../extension/usage/protocol.js';
import { h } from '../chat/dom.js';
import { formatCount, formatUsd } from './format.js';

const stat = (label: string, value: string, name: string): HTMLElement =>
  h('div', { className: 'stat', attributes: { 'data-stat': name } }, h('dt', { text: label }), h('dd', { text: value }));

/** One card per period: requests, tokens in and out, cost (and how many costs are unknown). */
export const totalsView = (periods: readonly PeriodTotals[]): HTMLElement =>
  h(
    'section',
    { className: 'totals', attributes: { 'aria-label': 'Totals' } },
    ...periods.map((period) =>
      h(
        'article',
        { className: 'card', attributes: { 'data-period': period.id, 'aria-label': period.label } },
        h('h2', { text: period.label }),
        h(
          'dl',
          {},
          stat('Requests', formatCount(period.totals.requests), 'requests'),
          stat('Tokens in', formatCount(period.totals.promptTokens), 'prompt-tokens'),
          stat('Tokens out', formatCount(period.totals.completionTokens), 'completion-tokens'),
          stat('Cost', formatUsd(period.totals.costUsd), 'cost'),
        ),
        period.totals.unknownCostRequests > 0 ? h('p', { className: 'muted', text: `${period.totals.unknownCostRequests} with unknown cost (not in the sum)` }) : null,
        period.totals.errors > 0 ? h('p', { className: 'muted', text: `${period.totals.errors} failed` }) : null,
      ),
    ),
  );
