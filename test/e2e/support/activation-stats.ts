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
}

export const activationFigure = (stats: readonly ActivationStats[], extension: string): ActivationFigure | undefined => {
  const own = stats.find((row) => row.extension === extension);
  if (!own) return undefined;
  const othersLoadingMs = Math.max(0, ...stats.filter((row) => row.event === own.event && row.extension.startsWith('vscode.')).map((row) => row.loadCodeMs));
  const reportedMs = own.loadCodeMs + own.callActivateMs;
  return { reportedMs, othersLoadingMs, ownMs: reportedMs - Math.min(othersLoadingMs, own.loadCodeMs) };
};

/** Opens "Developer: Startup Performance" and reads its activation table (through the clipboard,
 * as the editor renders only the lines in view), once the extension's row is there. */
export const readActivationStats = async (workbench: Workbench, extension: string): Promise<ActivationStats[]> => {
  await workbench.runCommand('Developer: Startup Performance');
  const deadline = Date.now() + 15_000;
  for (;;) {
    await workbench.page.locator('.monaco-editor .view-lines').first().click();
    await workbench.page.keyboard.press('Control+A');
    await workbench.page.keyboard.press('Control+C');
    const stats = parseActivationStats(await workbench.clipboard());
    if (stats.some((row) => row.extension === extension)) return stats;
    if (Date.now() > deadline) throw new Error(`Startup Performance shows no activation stats for ${extension}`);
    await workbench.page.waitForTimeout(500);
  }
};
