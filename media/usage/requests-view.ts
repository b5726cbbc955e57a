import type { RequestFilter, RequestRow } from '../../extension/usage/protocol.js';
import { isFailed, matchesFilter } from '../../extension/usage/request-filter.js';
import { button, h } from '../chat/dom.js';
import { formatCount, formatMs, formatTime, formatUsd } from './format.js';

export interface RequestControls {
  filter: RequestFilter;
  change(filter: RequestFilter): void;
  exportCsv(filter: RequestFilter): void;
}

const select = (label: string, value: string, options: [string, string][], onChange: (value: string) => void, name: string): HTMLElement => {
  const element = h('select', { className: 'select', attributes: { 'aria-label': label, 'data-filter': name } }, ...options.map(([optionValue, text]) => h('option', { attributes: { value: optionValue }, text })));
  element.value = value;
  element.addEventListener('change', () => onChange(element.value));
  return element;
};

const distinct = (rows: readonly RequestRow[], field: 'client' | 'model'): string[] => [...new Set(rows.map((row) => row[field]))].sort();

/** Team, end user and tags, shown on hover over the client (the search finds them too). */
const attributionTitle = (row: RequestRow): Record<string, string> => {
  const parts = [...(row.team ? [`team ${row.team}`] : []), ...(row.user ? [`user ${row.user}`] : []), ...Object.entries(row.tags ?? {}).map(([key, value]) => `${key}=${value}`)];
  return parts.length > 0 ? { title: parts.join(' · ') } : {};
};

const statusText = (row: RequestRow): string => (row.errorCode ? `${row.status} ${row.errorCode}` : String(row.status));

const requestRow = (row: RequestRow, fresh: ReadonlySet<string>): HTMLElement =>
  h(
    'tr',
    { className: `${isFailed(row) ? 'failed' : ''}${fresh.has(row.requestId) ? ' fresh' : ''}`, attributes: { 'data-request-id': row.requestId } },
    h('td', { attributes: { title: row.time }, text: formatTime(row.time) }),
    h('td', { attributes: attributionTitle(row), text: row.client }),
    h('td', { attributes: { title: `${row.provider} · ${row.endpoint}${row.stream ? ' · stream' : ''}` }, text: row.model }),
    h('td', { className: 'status', text: statusText(row) }),
    h('td', { className: 'number', attributes: { 'data-column': 'tokens' }, text: `${formatCount(row.promptTokens)} / ${formatCount(row.completionTokens)}` }),
    h('td', { className: 'number', attributes: { 'data-column': 'cost', title: `cost from: ${row.costSource}` }, text: formatUsd(row.costUsd) }),
    h('td', { className: 'number', text: formatMs(row.latencyMs) }),
    h('td', { className: 'number', text: formatMs(row.timeToFirstTokenMs) }),
  );

/** The latest requests with a search box and filters; the export writes what passes the filter. */
export const requestsView = (rows: readonly RequestRow[], fresh: ReadonlySet<string>, controls: RequestControls): HTMLElement => {
  const filter = controls.filter;
  const search = h('input', { className: 'search', attributes: { type: 'search', placeholder: 'Search model, client, status, request id, team, user, tag', 'aria-label': 'Search requests', 'data-filter': 'search' } });
  search.value = filter.search;
  search.addEventListener('input', () => controls.change({ ...filter, search: search.value }));
  const shown = rows.filter((row) => matchesFilter(row, filter));
  const toolbar = h(
    'div',
    { className: 'filters' },
    search,
    select('Client', filter.client, [['', 'All clients'], ...distinct(rows, 'client').map((client): [string, string] => [client, client])], (client) => controls.change({ ...filter, client }), 'client'),
    select('Model', filter.model, [['', 'All models'], ...distinct(rows, 'model').map((model): [string, string] => [model, model])], (model) => controls.change({ ...filter, model }), 'model'),
    select('Status', filter.status, [['all', 'Any status'], ['ok', 'Succeeded'], ['error', 'Failed']], (status) => controls.change({ ...filter, status: status as RequestFilter['status'] }), 'status'),
  );
  const table =
    shown.length === 0
      ? h('p', { className: 'muted', text: rows.length === 0 ? 'No requests in this range.' : 'No request matches the filter.' })
      : h(
          'table',
          { className: 'data-table requests-table' },
          h('thead', {}, h('tr', {}, ...['Time', 'Client', 'Model', 'Status', 'Tokens in / out', 'Cost', 'Latency', 'First token'].map((title, index) => h('th', { className: index >= 4 ? 'number' : undefined, attributes: { scope: 'col' }, text: title })))),
          h('tbody', {}, ...shown.map((row) => requestRow(row, fresh))),
        );
  return h(
    'section',
    { className: 'panel-section requests', attributes: { 'aria-labelledby': 'requests-title' } },
    h(
      'div',
      { className: 'section-head' },
      h('h2', { attributes: { id: 'requests-title' }, text: 'Recent requests' }),
      h('span', { className: 'muted', attributes: { 'aria-live': 'polite', 'data-count': String(shown.length) }, text: `${shown.length} of ${rows.length}` }),
      button('Export CSV', 'Export the requests that pass the filter as CSV', () => controls.exportCsv(filter), 'button secondary'),
    ),
    toolbar,
    h('div', { className: 'table-scroll' }, table),
  );
};
