import uPlot from 'uplot';
import type { CostChart } from '../../extension/usage/protocol.js';
import { OTHER_SERIES } from '../../extension/usage/view-constants.js';
import { h } from '../chat/dom.js';
import { chartColors } from './chart-colors.js';
import { formatUsd } from './format.js';

const HEIGHT = 240;
const DAY_SECONDS = 86_400;

const daySeconds = (day: string): number => Date.parse(`${day}T00:00:00Z`) / 1000;

/** Each layer stacked on the ones below it: uPlot draws bars from zero, so the stack is drawn as
 * running sums, tallest first, each later (shorter) bar covering the one behind it. */
export const stackedValues = (chart: CostChart): number[][] => {
  const sums: number[][] = [];
  chart.series.forEach((series, index) => sums.push(series.values.map((value, day) => value + (index > 0 ? sums[index - 1]![day]! : 0))));
  return sums;
};

/** Gives each layer a colour slot and keeps it while the panel is open, so a model or provider
 * keeps its colour when the ranking changes; two layers shown together never share one. */
export class ColorSlots {
  private readonly remembered = new Map<string, number>();

  assign(keys: readonly string[]): Map<string, number> {
    const slots = new Map<string, number>();
    const used = new Set<number>();
    for (const key of keys) {
      const slot = this.remembered.get(key);
      if (slot !== undefined && !used.has(slot)) {
        slots.set(key, slot);
        used.add(slot);
      }
    }
    for (const key of keys) {
      if (slots.has(key)) continue;
      let slot = 0;
      while (used.has(slot)) slot += 1;
      slots.set(key, slot);
      used.add(slot);
      this.remembered.set(key, slot);
    }
    return slots;
  }
}

const layerTotal = (values: readonly number[]): number => Math.round(values.reduce((sum, value) => sum + value, 0) * 1e8) / 1e8;

/** The daily cost chart (uPlot, on a canvas), its legend with each layer's total, a hover readout,
 * and the same numbers as a table for keyboards and screen readers. */
export class CostChartView {
  readonly element: HTMLElement;
  private readonly canvasHolder = h('div', { className: 'chart-canvas', attributes: { 'aria-hidden': 'true' } });
  private readonly legend = h('ul', { className: 'chart-legend', attributes: { 'aria-label': 'Cost per layer over the range' } });
  private readonly readout = h('p', { className: 'chart-readout muted', attributes: { 'aria-hidden': 'true' } });
  private readonly tableSlot = h('div', { className: 'chart-table-slot' });
  private plot: uPlot | undefined;
  private chart: CostChart | undefined;
  private readonly slots = new ColorSlots();
  private colorOf: (key: string) => string = () => '';

  constructor() {
    this.element = h('figure', { className: 'chart', attributes: { 'aria-label': 'Cost per day' } }, this.canvasHolder, this.readout, this.legend, this.tableSlot);
    new ResizeObserver(() => this.plot?.setSize({ width: this.width(), height: HEIGHT })).observe(this.canvasHolder);
    // VS Code marks the theme kind on the body: redraw in the new theme's colours.
    new MutationObserver(() => this.redraw()).observe(document.body, { attributes: true, attributeFilter: ['class'] });
  }

  render(chart: CostChart): void {
    this.chart = chart;
    this.redraw();
  }

  private width(): number {
    return Math.max(280, this.canvasHolder.clientWidth || 600);
  }

  private redraw(): void {
    const chart = this.chart;
    if (!chart) return;
    const colors = chartColors();
    const slots = this.slots.assign(chart.series.map((series) => series.key));
    this.colorOf = (key) => (key === OTHER_SERIES ? colors.other : colors.layers[slots.get(key)! % colors.layers.length]!);
    this.plot?.destroy();
    this.plot = undefined;
    this.element.setAttribute('data-days', String(chart.days.length));
    this.element.setAttribute('data-layers', chart.series.map((series) => series.key).join(','));
    this.renderLegend(chart);
    this.renderTable(chart);
    if (chart.series.length === 0) {
      this.canvasHolder.replaceChildren(h('p', { className: 'muted chart-empty', text: 'No cost in this range yet.' }));
      return;
    }
    this.canvasHolder.replaceChildren();
    const stacked = stackedValues(chart);
    const bars = uPlot.paths.bars!({ size: [0.7, 48], gap: 1 });
    // Drawn from the top of the stack down, so every layer stays visible.
    const order = chart.series.map((_, index) => index).reverse();
    const options: uPlot.Options = {
      width: this.width(),
      height: HEIGHT,
      legend: { show: false },
      cursor: { points: { show: false }, drag: { x: false, y: false } },
      tzDate: (seconds) => uPlot.tzDate(new Date(seconds * 1000), 'Etc/UTC'),
      scales: { x: { time: true, range: (_plot, min, max) => [min - DAY_SECONDS / 2, max + DAY_SECONDS / 2] }, y: { range: (_plot, _min, max) => [0, max > 0 ? max * 1.1 : 1] } },
      axes: [
        { stroke: colors.axis, grid: { show: false }, ticks: { stroke: colors.grid } },
        { stroke: colors.axis, grid: { stroke: colors.grid }, ticks: { stroke: colors.grid }, size: 64, values: (_plot, splits) => splits.map((value) => formatUsd(value)) },
      ],
      series: [
        {},
        ...order.map((index) => ({
          label: chart.series[index]!.key,
          fill: this.colorOf(chart.series[index]!.key),
          stroke: colors.edge,
          width: 1,
          paths: bars,
          points: { show: false },
        })),
      ],
      hooks: { setCursor: [(plot) => this.showReadout(plot.cursor.idx ?? null)] },
    };
    const data: uPlot.AlignedData = [chart.days.map(daySeconds), ...order.map((index) => stacked[index]!)];
    this.plot = new uPlot(options, data, this.canvasHolder);
  }

  private showReadout(dayIndex: number | null): void {
    const chart = this.chart;
    if (!chart || dayIndex === null || dayIndex < 0) {
      this.readout.textContent = '';
      return;
    }
    const parts = chart.series.filter((series) => series.values[dayIndex]! > 0).map((series) => `${series.key} ${formatUsd(series.values[dayIndex]!)}`);
    this.readout.textContent = `${chart.days[dayIndex]}: ${parts.length > 0 ? parts.join(', ') : 'no cost'}`;
  }

  private renderLegend(chart: CostChart): void {
    this.legend.replaceChildren(
      ...chart.series.map((series) => {
        const swatch = h('span', { className: 'swatch', attributes: { 'aria-hidden': 'true' } });
        swatch.style.background = this.colorOf(series.key);
        return h('li', { attributes: { 'data-layer': series.key } }, swatch, h('span', { className: 'layer-key', text: series.key }), h('span', { className: 'layer-total', text: formatUsd(layerTotal(series.values)) }));
      }),
    );
  }

  /** Only the days with a cost, one column per layer. */
  private renderTable(chart: CostChart): void {
    const days = chart.days.map((day, index) => ({ day, index })).filter(({ index }) => chart.series.some((series) => series.values[index]! > 0));
    if (days.length === 0) {
      this.tableSlot.replaceChildren();
      return;
    }
    const table = h(
      'table',
      { className: 'data-table chart-table' },
      h('caption', { className: 'visually-hidden', text: `Cost per day by ${chart.stackBy}` }),
      h('thead', {}, h('tr', {}, h('th', { attributes: { scope: 'col' }, text: 'Day (UTC)' }), ...chart.series.map((series) => h('th', { attributes: { scope: 'col' }, text: series.key })))),
      h('tbody', {}, ...days.map(({ day, index }) => h('tr', { attributes: { 'data-day': day } }, h('th', { attributes: { scope: 'row' }, text: day }), ...chart.series.map((series) => h('td', { className: 'number', text: formatUsd(series.values[index]!) }))))),
    );
    const details = h('details', { className: 'chart-details' }, h('summary', { attributes: { 'data-control': 'chart-table' }, text: 'Show the numbers as a table' }), table);
    const wasOpen = this.tableSlot.querySelector('details')?.open ?? false;
    details.open = wasOpen;
    this.tableSlot.replaceChildren(details);
  }
}
