/** The chat view's second script (dist/media/chat-highlight.js): highlight.js with its common
 * languages, handed to the main script (highlight-on-demand.ts). */
import hljs from 'highlight.js/lib/common';
import { HIGHLIGHT_READY_EVENT, type HighlightWindow } from './highlight-script-contract.js';

(window as HighlightWindow).modapiHighlight = hljs;
window.dispatchEvent(new Event(HIGHLIGHT_READY_EVENT));
