import 'uplot/dist/uPlot.min.css';
import '../shared/buttons.css';
import './usage.css';
import './budgets.css';
import type { Breakdown, ChartStack, ReportCard, RequestFilter, UsageHostMessage, UsageRange, UsageSnapshot } from '../../extension/usage/protocol.js';
import { NO_FILTER } from '../../extension/usage/request-filter.js';
import { button, h } from '../chat/dom.js';
import { breakdownView } from './breakdown-view.js';
import { budgetsView } from './budgets-view.js';
import { CostChartView } from './chart-view.js';
import { emptyState } from './empty-state.js';
import { formatTime } from './format.js';
import { postToHost, savedView, saveView } from './host.js';
import { keepingFocus } from './keep-focus.js';
import { reportCardView } from './report-card-view.js';
import { requestsView } from './requests-view.js';
import { totalsView } from './totals-view.js';

const RANGES: [UsageRange, string][] = [['7d', 'Last 7 days'], ['30d', 'Last 30 days'], ['month', 'This month'], ['90d', 'Last 90 days']];
const STACKS: [ChartStack, string][] = [['provider', 'Provider'], ['model', 'Model']];

const view = savedView();
let snapshot: UsageSnapshot | undefined;
let card: ReportCard | undefined;
/** Requests that arrived with the last live update, highlighted for a moment. */
let fresh = new Set<string>();

const app = document.getElementById('app')!;
const header = h('header', { className: 'toolbar' });
const notices = h('div', { className: 'notices', attributes: { role: 'status', 'aria-live': 'polite' } });
const content = h('main', { className: 'content' });
const chart = new CostChartView();
app.replaceChildren(header, notices, content);

const remember = (): void => saveView(view);
const requestView = (): void => postToHost({ type: 'set-view', range: view.range, stackBy: view.stackBy });

const rangeSelect = (): HTMLElement => {
  const select = h('select', { className: 'select', attributes: { 'aria-label': 'Range of the chart, breakdown and requests', 'data-control': 'range' } }, ...RANGES.map(([value, text]) => h('option', { attributes: { value }, text })));
  select.value = view.range;
  select.addEventListener('change', () => {
    view.range = select.value as UsageRange;
    remember();
    requestView();
  });
  return select;
};

const renderHeader = (): void => {
  const exportTotals = button('Export CSV', 'Export the totals of the range as CSV', () => postToHost({ type: 'export', view: 'totals' }), 'button secondary');
  exportTotals.hidden = !snapshot || snapshot.empty;
  header.replaceChildren(
    h('h1', { className: 'title', text: 'ModAPI Usage' }),
    rangeSelect(),
    exportTotals,
    ...(snapshot?.rebuilding
      ? [h('span', { className: 'muted rebuilding', text: `Reading the usage ledger (${snapshot.rebuilding.monthsRead} of ${snapshot.rebuilding.months} months): figures are incomplete until it is done.` })]
      : []),
    h('span', { className: 'muted updated', attributes: { 'data-updated': snapshot?.generatedAt ?? '' }, text: snapshot ? `Updated ${formatTime(snapshot.generatedAt)}` : 'Loading…' }),
  );
};

const stackToggles = (): HTMLElement =>
  h(
    'div',
    { className: 'toggle-group', attributes: { role: 'group', 'aria-label': 'Stack the chart by' } },
    ...STACKS.map(([stack, label]) => {
      const toggle = button(label, `Stack the cost chart by ${label.toLowerCase()}`, () => {
        view.stackBy = stack;
        remember();
        requestView();
      }, 'toggle');
      toggle.setAttribute('aria-pressed', String(view.stackBy === stack));
      toggle.setAttribute('data-stack', stack);
      return toggle;
    }),
  );

const chartSection = (current: UsageSnapshot): HTMLElement => {
  chart.render(current.chart);
  return h(
    'section',
    { className: 'panel-section', attributes: { 'aria-labelledby': 'chart-title' } },
    h(
      'div',
      { className: 'section-head' },
      h('h2', { attributes: { id: 'chart-title' }, text: `Cost per day, ${current.fromDay} to ${current.toDay} (UTC)` }),
      stackToggles(),
      button('Export CSV', 'Export the cost per day as CSV', () => postToHost({ type: 'export', view: 'daily' }), 'button secondary'),
    ),
    chart.element,
  );
};

const changeFilter = (filter: RequestFilter): void => {
  view.filter = filter;
  remember();
  render();
};

/** From a breakdown row to its requests: client and model by their filter, the others by search
 * (a tag as `key=value`, as the search reads tags). */
const drill = (breakdown: Breakdown, key: string): void => {
  const field = breakdown === 'client' || breakdown === 'model' ? breakdown : 'search';
  view.filter = { ...NO_FILTER, [field]: breakdown.startsWith('tag:') ? `${breakdown.slice(4)}=${key}` : key };
  remember();
  render();
  document.querySelector<HTMLElement>('section.requests')?.scrollIntoView({ block: 'start' });
  document.querySelector<HTMLElement>(`[data-filter="${field}"]`)?.focus({ preventScroll: true });
};

const chooseBreakdown = (breakdown: Breakdown): void => {
  view.breakdown = breakdown;
  remember();
  render();
};

const renderNow = (): void => {
  renderHeader();
  const current = snapshot;
  if (!current) return;
  if (current.empty) {
    content.replaceChildren(emptyState(current.gateway, current.recording), budgetsView(current.budgets));
  } else {
    content.replaceChildren(
      totalsView(current.periods),
      chartSection(current),
      budgetsView(current.budgets),
      reportCardView(card, {
        sort: view.cardSort,
        changeSort: (sort) => {
          view.cardSort = sort;
          remember();
          render();
        },
        chartModel: view.cardModel,
        chooseChartModel: (model) => {
          view.cardModel = model;
          remember();
          render();
        },
        exportCsv: () => postToHost({ type: 'export', view: 'report-card' }),
      }),
      breakdownView(current.breakdowns, { chosen: view.breakdown, choose: chooseBreakdown, drill, exportCsv: (breakdown) => postToHost({ type: 'export', view: 'breakdown', breakdown }) }),
      requestsView(current.requests, fresh, { filter: view.filter, change: changeFilter, exportCsv: (filter) => postToHost({ type: 'export', view: 'requests', filter }) }),
    );
  }
  app.setAttribute('aria-busy', 'false');
};

const render = (): void => keepingFocus(renderNow);

const showNotice = (level: 'info' | 'error', message: string): void => {
  const notice = h('p', { className: `notice ${level}`, text: message });
  notices.replaceChildren(notice);
  setTimeout(() => notice.remove(), 8_000);
};

window.addEventListener('message', (event: MessageEvent<UsageHostMessage>) => {
  const message = event.data;
  switch (message.type) {
    case 'snapshot': {
      const known = new Set(snapshot?.requests.map((row) => row.requestId));
      fresh = message.reason === 'live' ? new Set(message.snapshot.requests.filter((row) => !known.has(row.requestId)).map((row) => row.requestId)) : new Set();
      snapshot = message.snapshot;
      render();
      return;
    }
    case 'report-card':
      card = message.card;
      render();
      return;
    case 'notice':
      showNotice(message.level, message.message);
      return;
  }
});

renderHeader();
postToHost({ type: 'ready', range: view.range, stackBy: view.stackBy });
