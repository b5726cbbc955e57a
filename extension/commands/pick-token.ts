import * as vscode from 'vscode';
import type { LocalTokenEntry } from '../secrets/token-format.js';
import type { ExtensionServices } from '../services.js';

/** Asks which local token (by name; the token itself is never shown). Picks the only one directly. */
export const pickToken = async (services: ExtensionServices, title: string, pickEvenIfOne = false): Promise<LocalTokenEntry | undefined> => {
  const tokens = await services.secrets.localTokens();
  if (tokens.length === 0) {
    void vscode.window.showInformationMessage('ModAPI: there is no local token yet. Run "ModAPI: Create Local Token".');
    return undefined;
  }
  if (tokens.length === 1 && !pickEvenIfOne) return tokens[0];
  const chosen = await vscode.window.showQuickPick(
    tokens.map((entry) => ({ label: entry.name, description: `created ${entry.createdAt.slice(0, 10)}`, entry })),
    { title, placeHolder: 'Which tool’s token?' },
  );
  return chosen?.entry;
};
