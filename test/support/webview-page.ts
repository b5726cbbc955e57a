import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build, type BuildOptions } from 'esbuild';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { WebviewPage } from '../../extension/webview/webview-html.js';

export const CHROMIUM = '/usr/bin/chromium';

/** A webview as the extension serves it (its HTML and real CSP, the bundle built from the current
 * source as esbuild.js builds it) on 127.0.0.1, in Chromium, with `acquireVsCodeApi` stubbed to
 * record what the page posts. */
export interface WebviewHarness {
  page: Page;
  /** Messages the page posted to the "extension", in order. */
  posted(): Promise<{ type: string; [key: string]: unknown }[]>;
  /** Delivers a message as the extension would. */
  deliver(message: unknown): Promise<void>;
  /** CSP reports and page errors. */
  problems: string[];
  close(): Promise<void>;
}

export interface WebviewUnderTest {
  /** `chat` or `usage`: media/<name>/main.ts, served as <name>.js and <name>.css (and any other
   * script esbuild.js builds for that view). */
  name: string;
  html(page: WebviewPage): string;
  viewport: { width: number; height: number };
  bodyClass: string;
  themeCss: string;
  /** Runs before the page loads (routes, for example). */
  prepare?(page: Page): Promise<unknown>;
}

const TYPES: Record<string, string> = { js: 'text/javascript', css: 'text/css' };

export const openWebview = async (webview: WebviewUnderTest): Promise<WebviewHarness> => {
  const dist = mkdtempSync(join(tmpdir(), `${webview.name}-webview-`));
  // Built as esbuild.js builds the release (its aliases included), without minifying.
  const { webviewBuilds } = createRequire(import.meta.url)('../../esbuild.js') as { webviewBuilds: (name: string, options: { outdir: string }) => BuildOptions[] };
  await Promise.all(webviewBuilds(webview.name, { outdir: dist }).map((options) => build({ ...options, sourcemap: false, logLevel: 'silent' })));
  const assets = new Set(readdirSync(dist));
  let origin = '';
  const server: Server = createServer((request, response) => {
    const name = (request.url ?? '/').slice(1);
    if (name === '') {
      const html = webview
        .html({ cspSource: origin, scriptUri: `${origin}/${webview.name}.js`, styleUri: `${origin}/${webview.name}.css` })
        .replace('<body>', `<body class="${webview.bodyClass}">`)
        .replace('</head>', `<link rel="stylesheet" href="${origin}/theme.css"></head>`);
      response.writeHead(200, { 'content-type': 'text/html' }).end(html);
    } else if (name === 'theme.css') response.writeHead(200, { 'content-type': 'text/css' }).end(webview.themeCss);
    else if (assets.has(name)) response.writeHead(200, { 'content-type': TYPES[name.split('.')[1]!]! }).end(readFileSync(join(dist, name)));
    else response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const browser: Browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'] });
  const page = await browser.newPage({ viewport: webview.viewport });
  const problems: string[] = [];
  page.on('console', (message) => {
    if (/Content Security Policy|Refused to/i.test(message.text())) problems.push(message.text());
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  // A string, not a function: tsx would add helper calls the page does not have.
  await page.addInitScript(`
    const posted = [];
    let state;
    window.__posted = posted;
    window.acquireVsCodeApi = () => ({ postMessage: (message) => posted.push(message), getState: () => state, setState: (value) => { state = value; } });
  `);
  await webview.prepare?.(page);
  // Not 'load': the chat view's second script may be held back by a test, and load waits for it.
  await page.goto(origin, { waitUntil: 'domcontentloaded' });
  return {
    page,
    posted: () => page.evaluate('window.__posted.slice()') as Promise<{ type: string }[]>,
    deliver: (message) => page.evaluate(`window.postMessage(${JSON.stringify(message)}, '*')`).then(() => undefined),
    problems,
    close: async () => {
      await browser.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(dist, { recursive: true, force: true });
    },
  };
};
