import { randomBytes } from 'node:crypto';

export interface WebviewPage {
  /** `webview.cspSource` */
  cspSource: string;
  scriptUri: string;
  styleUri: string;
  nonce?: string;
}

export const createNonce = (): string => randomBytes(18).toString('base64').replace(/[^A-Za-z0-9]/g, '');

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

const escapeAttribute = (value: string): string => value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

/** The view's page: an empty shell the script fills in. */
export const chatViewHtml = (page: WebviewPage): string => {
  const nonce = page.nonce ?? createNonce();
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${escapeAttribute(contentSecurityPolicy(page.cspSource, nonce))}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${escapeAttribute(page.styleUri)}">
<title>ModAPI Chat</title>
</head>
<body>
<div id="app" class="app" aria-busy="true"></div>
<script nonce="${nonce}" src="${escapeAttribute(page.scriptUri)}"></script>
</body>
</html>`;
};
