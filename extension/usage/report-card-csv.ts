import { csvCell } from '../../proxy/usage/usage-csv.js';
import type { ReportCard, ReportCardRow } from './protocol.js';

const COLUMNS: readonly (keyof Omit<ReportCardRow, 'weekly'>)[] = [
  'model', 'requests', 'costPerRequestUsd', 'p50LatencyMs', 'p90LatencyMs', 'p50FirstTokenMs', 'tokensPerSecond',
  'thumbsUp', 'thumbsDown', 'thumbsUpShare', 'wins', 'losses', 'comparisons', 'winRate', 'regenerations',
];

const line = (cells: unknown[]): string => `${cells.map(csvCell).join(',')}\r\n`;

/** The report card as CSV, one row per model, through the ledger's own CSV cells (formula starts
 * neutralised); a win rate under the minimum count is left empty, as the card hides it. */
export const reportCardCsv = (card: ReportCard): string => card.rows.reduce((text, row) => text + line(COLUMNS.map((column) => row[column])), line([...COLUMNS]));
