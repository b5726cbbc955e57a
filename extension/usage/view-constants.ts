/** Constants both sides use; no imports, so the webview bundle stays free of extension code. */

/** Layers the chart shows before folding the rest into "other". */
export const MAX_CHART_SERIES = 6;
/** The key of the folded layer. */
export const OTHER_SERIES = 'other';
