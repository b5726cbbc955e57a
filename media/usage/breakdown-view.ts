import type { Breakdown, BreakdownRow } from '../../extension/usage/protocol.js';
import { button, h } from '../chat/dom.js';
import { formatCount, formatPercent, formatUsd } from './format.js';

const TITLES: Record<Breakdown, string> = {
  model: 'Model',
  provider: 'Provider',
  client: 'Client (local token)',
  endpoint: 'Endpoint',
  team: 'Team (of the token)',
  user: 'User (end user the client named)',
  'tag:customer': 'Customer (tag)',
  'tag:feature': 'Feature (tag)',
};

export interface BreakdownControls {
  chosen: Breakdown;
  choose(breakdown: Breakdown): void;
  exportCsv(breakdown: Breakdown): void;
  /** Shows the requests of one row in the request table. */
  drill(breakdown: Breakdown, key: string): void;
}

const row = (entry: BreakdownRow, dimension: Breakdown, drill: BreakdownControls['drill']): HTMLElement => {
  const share = h('span', { className: 'share-bar', attributes: { 'aria-hidden': 'true' } });
  share.style.width = `${Math.round(entry.costShare * 100)}%`;
  return h(
    'tr',
    { attributes: { 'data-key': entry.key } },
    h('th', { attributes: { scope: 'row' } }, button(entry.key, `Show the requests of ${dimension} ${entry.key}`, () => drill(dimension, entry.key), 'link')),
    h('td', { className: 'number', text: formatCount(entry.requests) }),
    h('td', { className: 'number', text: formatCount(entry.promptTokens) }),
    h('td', { className: 'number', text: formatCount(entry.completionTokens) }),
    h('td', { className: 'number cost', text: entry.unknownCostRequests > 0 ? `${formatUsd(entry.costUsd)} + ${entry.unknownCostRequests} unknown` : formatUsd(entry.costUsd) }),
    h('td', { className: 'share' }, share, h('span', { text: formatPercent(entry.costShare) })),
  );
};

/** Who and what the money went to: a toggle per dimension and one table. */
export const breakdownView = (breakdowns: Record<Breakdown, BreakdownRow[]>, controls: BreakdownControls): HTMLElement => {
  const chosen = controls.chosen;
  const toggles = h(
    'div',
    { className: 'toggle-group', attributes: { role: 'group', 'aria-label': 'Break down by' } },
    ...(Object.keys(TITLES) as Breakdown[]).map((dimension) => {
      const toggle = button(TITLES[dimension].split(' ')[0]!, `Break down by ${TITLES[dimension].toLowerCase()}`, () => controls.choose(dimension), 'toggle');
      toggle.setAttribute('aria-pressed', String(dimension === chosen));
      toggle.setAttribute('data-breakdown', dimension);
      return toggle;
    }),
  );
  const rows = breakdowns[chosen];
  return h(
    'section',
    { className: 'panel-section breakdown', attributes: { 'aria-labelledby': 'breakdown-title' } },
    h(
      'div',
      { className: 'section-head' },
      h('h2', { attributes: { id: 'breakdown-title' }, text: 'Breakdown' }),
      toggles,
      button('Export CSV', `Export the breakdown by ${chosen} as CSV`, () => controls.exportCsv(chosen), 'button secondary'),
    ),
    rows.length === 0
      ? h('p', { className: 'muted', text: 'No requests in this range.' })
      : h(
          'table',
          { className: 'data-table', attributes: { 'data-breakdown': chosen } },
          h(
            'thead',
            {},
            h('tr', {}, ...[TITLES[chosen], 'Requests', 'Tokens in', 'Tokens out', 'Cost', 'Share'].map((title, index) => h('th', { className: index > 0 && index < 5 ? 'number' : undefined, attributes: { scope: 'col' }, text: title }))),
          ),
          h('tbody', {}, ...rows.map((entry) => row(entry, chosen, controls.drill))),
        ),
  );
};
