/** Dollars with enough digits for a single cheap request ($0.000123) and plain cents for big sums. */
export const formatUsd = (value: number | null): string => {
  if (value === null) return 'unknown';
  if (value === 0) return '$0.00';
  const digits = Math.abs(value) >= 1 ? 2 : Math.abs(value) >= 0.01 ? 4 : 6;
  return `$${value.toFixed(digits)}`;
};

const numberFormat = new Intl.NumberFormat('en-US');

export const formatCount = (value: number): string => numberFormat.format(value);

export const formatMs = (value: number | null): string => (value === null ? '-' : value >= 1000 ? `${(value / 1000).toFixed(2)} s` : `${Math.round(value)} ms`);

/** Local time of a request, with the date when it is not today. */
export const formatTime = (iso: string, now = new Date()): string => {
  const date = new Date(iso);
  const time = date.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });
  return date.toDateString() === now.toDateString() ? time : `${date.toLocaleDateString(undefined, { month: 'short', day: 'numeric' })} ${time}`;
};

export const formatPercent = (fraction: number): string => `${Math.round(fraction * 100)}%`;
