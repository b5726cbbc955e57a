import type { Workbench } from './workbench.js';

/** One row of "Extension Activation Stats" in VS Code's "Developer: Startup Performance". */
export interface ActivationStats {
  extension: string;
  loadCodeMs: number;
  callActivateMs: number;
  event: string;
}

/** The rows of the "Extension Activation Stats" table in the Startup Performance text. */
export const parseActivationStats = (text: string): ActivationStats[] => {
  const start = text.indexOf('## Extension Activation Stats');
  if (start < 0) return [];
  const table = text.slice(start).split('\n## ')[0]!;
  return table
    .split('\n')
    .map((line) => line.split('|').slice(1, -1).map((cell) => cell.trim()))
    .filter((cells) => cells.length >= 6 && /^\d+$/.test(cells[2]!) && /^\d+$/.test(cells[3]!))
    .map((cells) => ({ extension: cells[0]!, loadCodeMs: Number(cells[2]), callActivateMs: Number(cells[3]), event: cells[5]! }));
};

export interface ActivationFigure {
  /** What "Show Running Extensions" shows: Load Code + Call Activate. */
  reportedMs: number;
  /** The part of Load Code spent loading built-in extensions' code: VS Code starts every
   * extension of one activation event at once, built-in ones first, and each one's Load Code
   * clock runs from that start until its own code is loaded. The largest Load Code of the
   * built-in extensions activated by the same event. */
  othersLoadingMs: number;
  /** reportedMs less othersLoadingMs: loading this extension's code and its activate call. */
  ownMs: number;
  loadCodeMs: number;
  callActivateMs: number;
  /** The built-in extensions activated by the same event, by id, sorted. */
  startedWith: string[];
}

export const activationFigure = (stats: readonly ActivationStats[], extension: string): ActivationFigure | undefined => {
  const own = stats.find((row) => row.extension === extension);
  if (!own) return undefined;
  const startedWith = stats.filter((row) => row.event === own.event && row.extension.startsWith('vscode.'));
  const othersLoadingMs = Math.max(0, ...startedWith.map((row) => row.loadCodeMs));
  const reportedMs = own.loadCodeMs + own.callActivateMs;
  return { reportedMs, loadCodeMs: own.loadCodeMs, callActivateMs: own.callActivateMs, othersLoadingMs, ownMs: reportedMs - Math.min(othersLoadingMs, own.loadCodeMs), startedWith: startedWith.map((row) => row.extension).sort() };
};

/** Opens "Developer: Startup Performance" and reads its activation table (through the clipboard,
 * as the editor renders only the lines in view), once the extension's row is there. */
export const readActivationStats = async (workbench: Workbench, extension: string): Promise<ActivationStats[]> => {
  await workbench.runCommand('Developer: Startup Performance');
  const deadline = Date.now() + 15_000;
  for (;;) {
    await workbench.page.locator('.part.editor .monaco-editor .view-lines').first().click();
    await workbench.page.keyboard.press('Control+A');
    await workbench.page.keyboard.press('Control+C');
    const stats = parseActivationStats(await workbench.clipboard());
    if (stats.some((row) => row.extension === extension)) return stats;
    if (Date.now() > deadline) throw new Error(`Startup Performance shows no activation stats for ${extension}`);
    await workbench.page.waitForTimeout(500);
  }
};

/** Disables a built-in extension as a user does: its row in the Extensions view's built-in list,
 * right-click, Disable. It stays loaded until the window reloads. */
export const disableBuiltInExtension = async (workbench: Workbench, displayName: string): Promise<void> => {
  const page = workbench.page;
  await workbench.runCommand('Extensions: Show Built-in Extensions');
  const search = page.locator('.extensions-viewlet .suggest-input-container').first();
  await search.waitFor({ timeout: 10_000 });
  await search.click();
  await page.keyboard.press('Control+A');
  await page.keyboard.type(`@builtin ${displayName}`);
  const row = page.locator('.extensions-viewlet .extension-list-item', { hasText: displayName }).first();
  await row.waitFor({ timeout: 15_000 });
  await row.click({ button: 'right' });
  // The context menu acts on the key (a click on its item is taken for the click that opened it).
  await page.locator('.monaco-menu .action-label', { hasText: /^Disable$/ }).first().hover({ timeout: 10_000 });
  await page.keyboard.press('Enter');
  // VS Code then offers to reload the window, which is when the extension stops.
  await row.getByText('Reload Window').waitFor({ timeout: 10_000 });
};
