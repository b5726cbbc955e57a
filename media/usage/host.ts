import type { Breakdown, ChartStack, RequestFilter, UsageRange, UsageViewMessage } from '../../extension/usage/protocol.js';
import { NO_FILTER } from '../../extension/usage/request-filter.js';
import type { CardSort } from './report-card-sort.js';

import { vscodeApi as api } from '../shared/vscode-api.js';

/** Every message to the extension goes through here, typed by the shared protocol. */
export const postToHost = (message: UsageViewMessage): void => api.postMessage(message);

/** What the panel remembers across reloads: the chosen view, never any usage data. */
export interface SavedView {
  range: UsageRange;
  stackBy: ChartStack;
  breakdown: Breakdown;
  filter: RequestFilter;
  cardSort: CardSort;
  /** The model whose weeks the report card charts. */
  cardModel?: string;
}

const DEFAULT_VIEW: SavedView = { range: '30d', stackBy: 'provider', breakdown: 'model', filter: NO_FILTER, cardSort: { column: 'requests', descending: true } };

export const savedView = (): SavedView => {
  const state = api.getState() as Partial<SavedView> | undefined;
  return { ...DEFAULT_VIEW, ...state, filter: { ...NO_FILTER, ...state?.filter } };
};

export const saveView = (view: SavedView): void => api.setState(view);
