import * as vscode from 'vscode';
import type { ExtensionLog } from './log-channel.js';
import { SHOW_LOGS } from './notify.js';
import { userOnlySettingsInText } from './settings-file-scan.js';
import { workspaceValuesOf } from './settings.js';

/** Per workspace: the user-only settings the person was already told about. */
const TOLD = 'modapi.ignoredWorkspaceSettings';

/** Where a workspace's settings live: each folder's `.vscode/settings.json`, and the "settings"
 * of a `.code-workspace` file. */
interface SettingsFile {
  uri: vscode.Uri;
  section?: string;
}

const settingsFiles = (): SettingsFile[] => {
  const files: SettingsFile[] = (vscode.workspace.workspaceFolders ?? []).map((folder) => ({ uri: vscode.Uri.joinPath(folder.uri, '.vscode', 'settings.json') }));
  const workspaceFile = vscode.workspace.workspaceFile;
  if (workspaceFile && workspaceFile.scheme !== 'untitled') files.push({ uri: workspaceFile, section: 'settings' });
  return files;
};

const readText = async (uri: vscode.Uri): Promise<string | undefined> => {
  try {
    return new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
  } catch {
    return undefined;
  }
};

/** The user-only settings this workspace tries to set, by where they are written. VS Code drops
 * application-scoped values from workspace files without telling extensions, so the files are
 * read as well as what `inspect` reports. */
const findAttempts = async (): Promise<Map<string, string[]>> => {
  const attempts = new Map<string, string[]>();
  const add = (key: string, where: string): void => void attempts.set(key, [...(attempts.get(key) ?? []), where]);
  for (const file of settingsFiles()) {
    const text = await readText(file.uri);
    if (text !== undefined) for (const key of userOnlySettingsInText(text, file.section)) add(key, vscode.workspace.asRelativePath(file.uri));
  }
  for (const key of workspaceValuesOf(vscode.workspace.getConfiguration('modapi'))) if (!attempts.has(key)) add(key, 'workspace settings');
  return attempts;
};

/** Tells the person, once per workspace and setting, that the workspace's values of user-only
 * settings are ignored, and logs every attempt. Watches the files, so a later edit is caught too
 * (it never takes effect: the settings are read from user settings only). */
export class WorkspaceSettingsGuard implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  private checking: Promise<void> = Promise.resolve();
  private lastLogged = '';

  constructor(
    private readonly workspaceState: vscode.Memento,
    private readonly log: ExtensionLog,
  ) {
    const recheck = (): void => void this.check();
    const workspaceFile = vscode.workspace.workspaceFile;
    const patterns: vscode.GlobPattern[] = ['**/.vscode/settings.json'];
    if (workspaceFile?.scheme === 'file') patterns.push(new vscode.RelativePattern(vscode.Uri.joinPath(workspaceFile, '..'), workspaceFile.path.split('/').pop()!));
    for (const pattern of patterns) {
      const watcher = vscode.workspace.createFileSystemWatcher(pattern);
      this.disposables.push(watcher, watcher.onDidCreate(recheck), watcher.onDidChange(recheck), watcher.onDidDelete(recheck));
    }
    this.disposables.push(
      vscode.workspace.onDidChangeWorkspaceFolders(recheck),
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (event.affectsConfiguration('modapi')) recheck();
      }),
    );
  }

  /** Checks one at a time, so two quick edits cannot tell the person twice. */
  check(): Promise<void> {
    this.checking = this.checking.then(() => this.checkNow()).catch((error: unknown) => this.log.error(`workspace settings check: ${(error as Error).message}`));
    return this.checking;
  }

  private async checkNow(): Promise<void> {
    const attempts = await findAttempts();
    const summary = [...attempts].map(([key, places]) => `${key} (${places.join(', ')})`).join('; ');
    if (summary && summary !== this.lastLogged) this.log.warn(`ignored workspace values of user-only settings: ${summary}. They decide where the API key is sent or which limits apply, so only user settings count.`);
    this.lastLogged = summary;
    const told = this.workspaceState.get<string[]>(TOLD) ?? [];
    const untold = [...attempts.keys()].filter((key) => !told.includes(key));
    if (untold.length === 0) return;
    await this.workspaceState.update(TOLD, [...told, ...untold]);
    const names = [...attempts.keys()].join(', ');
    const choice = await vscode.window.showWarningMessage(
      `ModAPI ignored ${names} from this workspace's settings: settings that decide where your API key is sent or which limits apply are read from your user settings only, so a repository cannot redirect your key or lift your limits.`,
      SHOW_LOGS,
    );
    if (choice === SHOW_LOGS) this.log.show();
  }

  dispose(): void {
    for (const disposable of this.disposables.splice(0)) disposable.dispose();
  }
}
