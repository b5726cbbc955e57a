import { randomBytes } from 'node:crypto';

/** What a webview page needs from its host: the webview's own source for the policy, and the URIs
 * of our one script and one stylesheet. */
export interface WebviewPage {
  /** `webview.cspSource` */
  cspSource: string;
  scriptUri: string;
  styleUri: string;
  nonce?: string;
}

export const createNonce = (): string => randomBytes(18).toString('base64').replace(/[^A-Za-z0-9]/g, '');

const escapeAttribute = (value: string): string => value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

/** The shared page shell of every ModAPI webview: the policy in a meta tag, an empty `#app` the
 * script fills in, the script allowed by nonce only. */
export const webviewShell = (page: WebviewPage, title: string, policy: (nonce: string) => string): string => {
  const nonce = page.nonce ?? createNonce();
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${escapeAttribute(policy(nonce))}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${escapeAttribute(page.styleUri)}">
<title>${escapeAttribute(title)}</title>
</head>
<body>
<div id="app" class="app" aria-busy="true"></div>
<script nonce="${nonce}" src="${escapeAttribute(page.scriptUri)}"></script>
</body>
</html>`;
};
