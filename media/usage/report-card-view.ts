import uPlot from 'uplot';
import type { ReportCard, ReportCardRow } from '../../extension/usage/protocol.js';
import { button, h } from '../chat/dom.js';
import { chartColors } from './chart-colors.js';
import { formatCount, formatMs, formatPercent, formatUsd } from './format.js';
import { CARD_COLUMNS, sortRows, type CardColumn, type CardSort } from './report-card-sort.js';

const CHART_HEIGHT = 140;
const daySeconds = (day: string): number => Date.parse(`${day}T00:00:00Z`) / 1000;

export interface ReportCardControls {
  sort: CardSort;
  changeSort(sort: CardSort): void;
  /** The model whose weeks the small chart shows. */
  chartModel: string | undefined;
  chooseChartModel(model: string): void;
  exportCsv(): void;
}

const thumbsText = (row: ReportCardRow): string => (row.thumbsUpShare === null ? '-' : `${formatPercent(row.thumbsUpShare)} of ${row.thumbsUp + row.thumbsDown}`);

/** The rate with its count; under the minimum only the count, saying why. */
const winText = (row: ReportCardRow, minimum: number): string => {
  if (row.comparisons === 0) return '-';
  if (row.winRate === null) return `${row.comparisons} (under ${minimum})`;
  return `${formatPercent(row.winRate)} of ${row.comparisons}`;
};

const cells = (row: ReportCardRow, minimum: number): string[] => [
  formatCount(row.requests),
  formatUsd(row.costPerRequestUsd),
  formatMs(row.p50LatencyMs),
  formatMs(row.p90LatencyMs),
  formatMs(row.p50FirstTokenMs),
  row.tokensPerSecond === null ? '-' : String(row.tokensPerSecond),
  thumbsText(row),
  winText(row, minimum),
];

const headerCell = (column: (typeof CARD_COLUMNS)[number], controls: ReportCardControls): HTMLElement => {
  const sorted = controls.sort.column === column.key;
  const sortButton = button(`${column.title}${sorted ? (controls.sort.descending ? ' \u2193' : ' \u2191') : ''}`, `Sort the report card by ${column.title.toLowerCase()}`, () => controls.changeSort({ column: column.key as CardColumn, descending: sorted ? !controls.sort.descending : column.key !== 'model' }), 'link sort');
  sortButton.setAttribute('data-sort', column.key);
  return h('th', { className: column.key === 'model' ? undefined : 'number', attributes: { scope: 'col', 'aria-sort': sorted ? (controls.sort.descending ? 'descending' : 'ascending') : 'none' } }, sortButton);
};

/** Win rate (left axis, %) and cost per request (right axis) of one model, week by week, drawn
 * in the theme's chart colours; weeks under the minimum count of comparisons are gaps. */
const weeklyChart = (card: ReportCard, row: ReportCardRow, holder: HTMLElement): void => {
  const colors = chartColors();
  const width = Math.max(280, holder.clientWidth || 560);
  const options: uPlot.Options = {
    width,
    height: CHART_HEIGHT,
    legend: { show: false },
    cursor: { points: { show: true }, drag: { x: false, y: false } },
    tzDate: (seconds) => uPlot.tzDate(new Date(seconds * 1000), 'Etc/UTC'),
    scales: { x: { time: true }, rate: { range: [0, 100] }, usd: { range: (_plot, _min, max) => [0, max > 0 ? max * 1.2 : 1] } },
    axes: [
      { stroke: colors.axis, grid: { show: false }, ticks: { stroke: colors.grid } },
      { scale: 'rate', stroke: colors.axis, grid: { stroke: colors.grid }, ticks: { stroke: colors.grid }, size: 60, values: (_plot, splits) => splits.map((value) => `${value}%`) },
      { scale: 'usd', side: 1, stroke: colors.axis, grid: { show: false }, ticks: { stroke: colors.grid }, size: 72, values: (_plot, splits) => splits.map((value) => formatUsd(value)) },
    ],
    series: [
      {},
      { label: 'win rate', scale: 'rate', stroke: colors.layers[0], width: 2, spanGaps: false, points: { show: true, size: 6 } },
      { label: 'cost per request', scale: 'usd', stroke: colors.layers[1], width: 2, dash: [6, 4], spanGaps: false, points: { show: true, size: 6 } },
    ],
  };
  const data: uPlot.AlignedData = [card.weeks.map(daySeconds), row.weekly.winRate.map((rate) => (rate === null ? null : Math.round(rate * 1000) / 10)), row.weekly.costPerRequestUsd];
  holder.replaceChildren();
  new uPlot(options, data, holder);
};

/** The weeks as text, for keyboards and screen readers (and the reader of a high contrast theme). */
const weeklyTable = (card: ReportCard, row: ReportCardRow): HTMLElement =>
  h(
    'details',
    { className: 'card-weeks' },
    h('summary', { attributes: { 'data-control': 'card-weeks' }, text: 'Show the weeks as a table' }),
    h(
      'table',
      { className: 'data-table' },
      h('thead', {}, h('tr', {}, ...['Week of (UTC)', 'Win rate', 'Cost / request'].map((title) => h('th', { attributes: { scope: 'col' }, text: title })))),
      h('tbody', {}, ...card.weeks.map((week, index) => h('tr', {}, h('th', { attributes: { scope: 'row' }, text: week }), h('td', { className: 'number', text: row.weekly.winRate[index] === null ? '-' : formatPercent(row.weekly.winRate[index]!) }), h('td', { className: 'number', text: formatUsd(row.weekly.costPerRequestUsd[index] ?? null) })))),
    ),
  );

/** The model report card: per model over the range, sortable, with one model's weeks charted. */
export const reportCardView = (card: ReportCard | undefined, controls: ReportCardControls): HTMLElement => {
  const head = h(
    'div',
    { className: 'section-head' },
    h('h2', { attributes: { id: 'card-title' }, text: 'Model report card' }),
    button('Export CSV', 'Export the model report card as CSV', controls.exportCsv, 'button secondary'),
  );
  const section = h('section', { className: 'panel-section report-card', attributes: { 'aria-labelledby': 'card-title' } }, head);
  if (!card) {
    section.append(h('p', { className: 'muted', text: 'Reading the requests of the range…' }));
    return section;
  }
  if (card.rows.length === 0) {
    section.append(h('p', { className: 'muted', text: 'No requests or ratings in this range.' }));
    return section;
  }
  const rows = sortRows(card.rows, controls.sort);
  const chartRow = rows.find((row) => row.model === controls.chartModel) ?? rows[0]!;
  const table = h(
    'table',
    { className: 'data-table card-table' },
    h('caption', { className: 'muted card-note', text: `Thumbs up: share of the thumbs given. Win rate: wins of the comparisons in Compare ("Use this answer"), shown from ${card.minimumComparisons} comparisons on.` }),
    h('thead', {}, h('tr', {}, ...CARD_COLUMNS.map((column) => headerCell(column, controls)))),
    h(
      'tbody',
      {},
      ...rows.map((row) =>
        h(
          'tr',
          { className: row === chartRow ? 'charted' : '', attributes: { 'data-model': row.model } },
          h('th', { attributes: { scope: 'row' } }, button(row.model, `Chart the weeks of ${row.model}`, () => controls.chooseChartModel(row.model), 'link')),
          ...cells(row, card.minimumComparisons).map((text, index) => h('td', { className: 'number', attributes: { 'data-column': CARD_COLUMNS[index + 1]!.key }, text })),
        ),
      ),
    ),
  );
  const holder = h('div', { className: 'card-chart-canvas', attributes: { 'aria-hidden': 'true' } });
  const figure = h(
    'figure',
    { className: 'card-chart', attributes: { 'aria-label': `Win rate and cost per request of ${chartRow.model}, week by week` } },
    h('figcaption', { className: 'muted', text: `${chartRow.model}, week by week: win rate (solid, left) and cost per request (dashed, right)` }),
    holder,
    weeklyTable(card, chartRow),
  );
  section.append(h('div', { className: 'table-scroll' }, table), figure);
  // Drawn once the holder is in the page and has a width.
  requestAnimationFrame(() => {
    if (holder.isConnected) weeklyChart(card, chartRow, holder);
  });
  return section;
};
