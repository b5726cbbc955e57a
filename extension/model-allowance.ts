import { basename } from 'node:path';
import * as vscode from 'vscode';
import { allowanceFrom, type ModelAllowance } from './allowed-models.js';

const KEY = 'workspace.allowedModels';

/** `modapi.workspace.allowedModels` as every scope sets it, read with `inspect` so a refusal can
 * say which scope set the limit (and so a default never counts as one). In a single-folder
 * workspace the workspace value is that folder's `.vscode/settings.json`; in a multi-root one, the
 * `.code-workspace` file's, and each folder's own. */
export const readModelAllowance = (): ModelAllowance => {
  const folders = vscode.workspace.workspaceFolders ?? [];
  const workspaceFile = vscode.workspace.workspaceFile;
  const inspection = vscode.workspace.getConfiguration('modapi').inspect<unknown>(KEY);
  const workspaceWhere = workspaceFile ? `the workspace file ${basename(workspaceFile.path)}` : `the folder "${folders[0]?.name ?? 'workspace'}" (.vscode/settings.json)`;
  return allowanceFrom({
    user: inspection?.globalValue,
    workspace: { where: workspaceWhere, value: inspection?.workspaceValue },
    folders: workspaceFile
      ? folders.map((folder) => ({ where: `the folder "${folder.name}" (.vscode/settings.json)`, value: vscode.workspace.getConfiguration('modapi', folder.uri).inspect<unknown>(KEY)?.workspaceFolderValue }))
      : [],
  });
};
