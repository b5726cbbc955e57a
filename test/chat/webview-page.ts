import { chatViewHtml } from '../../extension/chat/webview-html.js';
import { openWebview, type WebviewHarness } from '../support/webview-page.js';

export { CHROMIUM } from '../support/webview-page.js';
export type ChatWebview = WebviewHarness;

/** The chat view's page in Chromium under its real CSP (see test/support/webview-page.ts). */
export const openChatWebview = (themeCss: string, bodyClass = 'vscode-dark'): Promise<ChatWebview> =>
  openWebview({ name: 'chat', html: chatViewHtml, viewport: { width: 420, height: 1000 }, bodyClass, themeCss });
