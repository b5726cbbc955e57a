import { usagePanelHtml } from '../../extension/usage/webview-html.js';
import { openWebview, type WebviewHarness } from '../support/webview-page.js';

export { CHROMIUM } from '../support/webview-page.js';
export type { WebviewHarness } from '../support/webview-page.js';

/** The usage panel's page in Chromium under its real CSP (see test/support/webview-page.ts). */
export const openUsageWebview = (bodyClass = 'vscode-dark', themeCss = ''): Promise<WebviewHarness> =>
  openWebview({ name: 'usage', html: usagePanelHtml, viewport: { width: 1200, height: 1400 }, bodyClass, themeCss });
