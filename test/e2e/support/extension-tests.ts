import type { Page } from 'playwright-core';
import type { RunningCodeServer } from './code-server.js';

export interface ExtensionTestRun {
  exitCode: number;
  lines: string[];
}

/** Runs an extension test module (`run(): Promise<void>`, as @vscode/test-electron expects) in
 * code-server's extension host, with the extension loaded from its development folder. VS Code's
 * web workbench takes both paths from the `payload` query parameter and reports the end through
 * `window.codeAutomationExit`, its log through `window.codeAutomationLog`. */
export const runExtensionTests = async (page: Page, codeServer: RunningCodeServer, folder: string, developmentPath: string, testsPath: string, timeoutMs: number): Promise<ExtensionTestRun> => {
  const lines: string[] = [];
  let finish: (code: number) => void = () => undefined;
  const exited = new Promise<number>((resolve) => (finish = resolve));
  await page.exposeFunction('codeAutomationExit', (code: number) => finish(code));
  await page.exposeFunction('codeAutomationLog', (_type: string, args: unknown[]) => lines.push(args.map(String).join(' ')));
  const authority = new URL(codeServer.url).host;
  const payload = JSON.stringify([
    ['extensionDevelopmentPath', `vscode-remote://${authority}${developmentPath}`],
    ['extensionTestsPath', `vscode-remote://${authority}${testsPath}`],
  ]);
  await page.goto(`${codeServer.url}/?folder=${encodeURIComponent(folder)}&payload=${encodeURIComponent(payload)}`);
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`the extension tests did not finish in ${timeoutMs} ms:\n${lines.join('\n')}`)), timeoutMs);
  });
  try {
    return { exitCode: await Promise.race([exited, timedOut]), lines };
  } finally {
    clearTimeout(timer);
  }
};
