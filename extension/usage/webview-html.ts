import { webviewShell, type WebviewPage } from '../webview/webview-html.js';

export type UsagePage = WebviewPage;

/** Nothing by default; our one script by nonce, our stylesheet (uPlot's included), nothing remote.
 * The chart draws on a canvas and sizes its elements through the CSSOM, which the policy allows. */
export const usageContentSecurityPolicy = (cspSource: string, nonce: string): string =>
  ["default-src 'none'", `script-src 'nonce-${nonce}'`, `style-src ${cspSource}`, `img-src ${cspSource}`, `font-src ${cspSource}`].join('; ');

/** The panel's page: an empty shell the script fills in. */
export const usagePanelHtml = (page: UsagePage): string => webviewShell(page, 'ModAPI Usage', (nonce) => usageContentSecurityPolicy(page.cspSource, nonce));
