import { webviewShell, type WebviewPage } from '../webview/webview-html.js';

export { createNonce, type WebviewPage } from '../webview/webview-html.js';

/** The strict policy: nothing by default, our one script by nonce, our stylesheet, images and
 * media only from the extension or as data/blob (generated media), no remote anything. */
export const contentSecurityPolicy = (cspSource: string, nonce: string): string =>
  [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src ${cspSource}`,
    `img-src ${cspSource} data: blob:`,
    'media-src blob: data:',
  ].join('; ');

/** The view's page: an empty shell the script fills in. */
export const chatViewHtml = (page: WebviewPage): string => webviewShell(page, 'ModAPI Chat', (nonce) => contentSecurityPolicy(page.cspSource, nonce));
