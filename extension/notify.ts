import * as vscode from 'vscode';
import type { ExtensionLog } from './log-channel.js';

export const SHOW_LOGS = 'Show Logs';

/** VS Code renders markdown links in notifications, `command:` links too, and runs them when
 * clicked. So a notification says one fixed sentence of ours; what an upstream or an error said
 * goes to the log (redacted) behind "Show Logs". Returns the action chosen, if any. */
export const notifyProblem = async (log: ExtensionLog, level: 'error' | 'warning', sentence: string, details: string, ...actions: string[]): Promise<string | undefined> => {
  if (level === 'error') log.error(`${sentence} ${details}`);
  else log.warn(`${sentence} ${details}`);
  const show = level === 'error' ? vscode.window.showErrorMessage : vscode.window.showWarningMessage;
  const choice = await show(sentence, ...actions, SHOW_LOGS);
  if (choice === SHOW_LOGS) log.show();
  return choice;
};
