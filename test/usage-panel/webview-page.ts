import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { build } from 'esbuild';
import { chromium, type Browser, type Page } from 'playwright-core';
import { usagePanelHtml } from '../../extension/usage/webview-html.js';

export const CHROMIUM = '/usr/bin/chromium';

/** Bundles the webview as esbuild.js does, into a temporary folder, so the page tested is the
 * current source. */
const bundleWebview = async (): Promise<string> => {
  const outdir = mkdtempSync(join(tmpdir(), 'usage-webview-'));
  await build({ entryPoints: { usage: join(__dirname, '../../media/usage/main.ts') }, outdir, bundle: true, platform: 'browser', target: 'es2022', format: 'iife', loader: { '.css': 'css' }, logLevel: 'silent' });
  return outdir;
};

/** The bundled usage webview served from 127.0.0.1 under its real CSP (cspSource = this server),
 * in Chromium, with `acquireVsCodeApi` stubbed to record what the page posts. */
export interface WebviewHarness {
  page: Page;
  /** Messages the page posted to the "extension", in order. */
  posted(): Promise<unknown[]>;
  /** Delivers a message as the extension would. */
  deliver(message: unknown): Promise<void>;
  cspViolations: string[];
  close(): Promise<void>;
}

const TYPES: Record<string, string> = { js: 'text/javascript', css: 'text/css' };

export const openUsageWebview = async (bodyClass = 'vscode-dark', themeCss = ''): Promise<WebviewHarness> => {
  const dist = await bundleWebview();
  let origin = '';
  const server: Server = createServer((request, response) => {
    const name = (request.url ?? '/').slice(1);
    if (name === '') {
      const html = usagePanelHtml({ cspSource: origin, scriptUri: `${origin}/usage.js`, styleUri: `${origin}/usage.css` })
        .replace('<body>', `<body class="${bodyClass}">`)
        .replace('</head>', `<link rel="stylesheet" href="${origin}/theme.css"></head>`);
      response.writeHead(200, { 'content-type': 'text/html' }).end(html);
      return;
    }
    if (name === 'theme.css') {
      response.writeHead(200, { 'content-type': 'text/css' }).end(themeCss);
      return;
    }
    if (name === 'usage.js' || name === 'usage.css') {
      response.writeHead(200, { 'content-type': TYPES[name.split('.')[1]!]! }).end(readFileSync(join(dist, name)));
      return;
    }
    response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const browser: Browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'] });
  const page = await browser.newPage({ viewport: { width: 1200, height: 1400 } });
  const cspViolations: string[] = [];
  page.on('console', (message) => {
    if (/Content Security Policy|Refused to/i.test(message.text())) cspViolations.push(message.text());
  });
  page.on('pageerror', (error) => cspViolations.push(`page error: ${error.message}`));
  // A string, not a function: tsx would add helper calls the page does not have.
  await page.addInitScript(`
    const posted = [];
    let state;
    window.__posted = posted;
    window.acquireVsCodeApi = () => ({ postMessage: (message) => posted.push(message), getState: () => state, setState: (value) => { state = value; } });
  `);
  await page.goto(origin);
  return {
    page,
    posted: () => page.evaluate('window.__posted.slice()') as Promise<unknown[]>,
    deliver: (message) => page.evaluate(`window.postMessage(${JSON.stringify(message)}, '*')`).then(() => undefined),
    cspViolations,
    close: async () => {
      await browser.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(dist, { recursive: true, force: true });
    },
  };
};
