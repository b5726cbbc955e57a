import type { HLJSApi } from 'highlight.js';

/** How the chat view's separate highlight.js script hands itself to the view's main script. */
export const HIGHLIGHT_READY_EVENT = 'modapi-highlight-ready';

export type HighlightWindow = Window & { modapiHighlight?: HLJSApi };
