import { randomBytes } from 'node:crypto';

export interface UsagePage {
  /** `webview.cspSource` */
  cspSource: string;
  scriptUri: string;
  styleUri: string;
  nonce?: string;
}

const createNonce = (): string => randomBytes(18).toString('base64').replace(/[^A-Za-z0-9]/g, '');

/** Nothing by default; our one script by nonce, our stylesheet (uPlot's included), nothing remote.
 * The chart draws on a canvas and sizes its elements through the CSSOM, which the policy allows. */
export const usageContentSecurityPolicy = (cspSource: string, nonce: string): string =>
  ["default-src 'none'", `script-src 'nonce-${nonce}'`, `style-src ${cspSource}`, `img-src ${cspSource}`, `font-src ${cspSource}`].join('; ');

const escapeAttribute = (value: string): string => value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

/** The panel's page: an empty shell the script fills in. */
export const usagePanelHtml = (page: UsagePage): string => {
  const nonce = page.nonce ?? createNonce();
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${escapeAttribute(usageContentSecurityPolicy(page.cspSource, nonce))}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${escapeAttribute(page.styleUri)}">
<title>ModAPI Usage</title>
</head>
<body>
<div id="app" class="app" aria-busy="true"></div>
<script nonce="${nonce}" src="${escapeAttribute(page.scriptUri)}"></script>
</body>
</html>`;
};
