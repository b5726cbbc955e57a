import { readdirSync, readFileSync, writeFileSync, mkdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Profile } from './code-server.js';

/** Every file under `root` (recursively), as paths. */
const filesUnder = (root: string): string[] => {
  let entries: string[];
  try {
    entries = readdirSync(root, { recursive: true }) as string[];
  } catch {
    return [];
  }
  return entries.map((entry) => join(root, entry)).filter((path) => statSync(path, { throwIfNoEntry: false })?.isFile());
};

/** The files the extension wrote outside its chat storage: its global and workspace storage (the
 * ledger, ratings, rollups, responses) without the `chat` folder, and its log files. */
export const extensionFilesOutsideChat = (profile: Profile): string[] => {
  const user = join(profile.userDataDir, 'User');
  const storages = [...filesUnder(join(user, 'globalStorage')), ...filesUnder(join(user, 'workspaceStorage'))].filter((path) => /modapi/i.test(path));
  const logs = filesUnder(join(profile.userDataDir, 'logs')).filter((path) => /modapi/i.test(path));
  return [...storages, ...logs].filter((path) => !relative(user, path).split('/').includes('chat'));
};

/** Which of those files hold `text`. */
export const filesHolding = (files: readonly string[], text: string): string[] => files.filter((path) => readFileSync(path).includes(text));

/** Writes the workspace's `.vscode/settings.json`. */
export const writeWorkspaceSettings = (profile: Profile, settings: Record<string, unknown>): void => {
  mkdirSync(join(profile.workspace, '.vscode'), { recursive: true });
  writeFileSync(join(profile.workspace, '.vscode', 'settings.json'), JSON.stringify(settings, null, 2));
};

/** Adds to (or changes in) the user's settings.json, keeping what is there. */
export const updateUserSettings = (profile: Profile, settings: Record<string, unknown>): void => {
  const path = join(profile.userDataDir, 'User', 'settings.json');
  const current = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  writeFileSync(path, JSON.stringify({ ...current, ...settings }, null, 2));
};
