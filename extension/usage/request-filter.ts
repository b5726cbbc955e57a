import type { RequestFilter } from './protocol.js';

/** The fields a filter looks at; both a table row and a ledger record have them. */
export interface FilterableRequest {
  requestId: string;
  client: string;
  endpoint: string;
  provider: string;
  model: string;
  status: number;
  errorCode: string | null;
  team?: string;
  user?: string;
  tags?: Readonly<Record<string, string>>;
}

export const NO_FILTER: RequestFilter = { search: '', client: '', model: '', status: 'all' };

export const isFailed = (request: Pick<FilterableRequest, 'status' | 'errorCode'>): boolean => request.status >= 400 || request.errorCode !== null;

/** Whether a request passes the table's filter: exact client and model when chosen, ok or failed,
 * and every word of the search found (case-insensitive) in its ids, names, error code, team, end
 * user or tags (as `key=value`). Shared by
 * the table (webview) and the CSV export (extension), so the file holds what the table shows. */
export const matchesFilter = (request: FilterableRequest, filter: RequestFilter): boolean => {
  if (filter.client && request.client !== filter.client) return false;
  if (filter.model && request.model !== filter.model) return false;
  if (filter.status === 'ok' && isFailed(request)) return false;
  if (filter.status === 'error' && !isFailed(request)) return false;
  const words = filter.search.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return true;
  const attribution = [request.team ?? '', request.user ?? '', ...Object.entries(request.tags ?? {}).map(([key, value]) => `${key}=${value}`)];
  const haystack = [request.requestId, request.client, request.endpoint, request.provider, request.model, String(request.status), request.errorCode ?? '', ...attribution].join(' ').toLowerCase();
  return words.every((word) => haystack.includes(word));
};
