import { chmodSync, mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';

const FOLDER_NAME = 'modapi';

/** The standalone gateway's own folder, by the platform's convention: `%LOCALAPPDATA%\modapi` on
 * Windows, `~/Library/Application Support/modapi` on macOS, `$XDG_DATA_HOME/modapi` (an absolute
 * one, as the XDG spec asks) or `~/.local/share/modapi` elsewhere. */
export const dataFolder = (environment: NodeJS.ProcessEnv, platform: NodeJS.Platform = process.platform, home: string = environment.HOME || homedir()): string => {
  if (platform === 'win32') return join(environment.LOCALAPPDATA || join(environment.USERPROFILE || home, 'AppData', 'Local'), FOLDER_NAME);
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', FOLDER_NAME);
  const xdg = environment.XDG_DATA_HOME;
  return join(xdg && isAbsolute(xdg) ? xdg : join(home, '.local', 'share'), FOLDER_NAME);
};

/** Where the default ledger's monthly files go inside the data folder. */
export const defaultLedgerFolder = (folder: string): string => join(folder, 'ledger');

/** Makes the folder if need be, readable by its owner only: it holds the local token and the
 * ledger (which models were used, what they cost). */
export const ensurePrivateFolder = (folder: string): void => {
  mkdirSync(folder, { recursive: true, mode: 0o700 });
  chmodSync(folder, 0o700);
};
