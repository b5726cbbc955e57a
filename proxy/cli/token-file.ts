import { randomBytes } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensurePrivateFolder } from './data-folder.js';

export const generateLocalToken = (): string => `mk-local-${randomBytes(24).toString('base64url')}`;

/** The generated local token's file in the data folder. */
export const tokenFilePath = (folder: string): string => join(folder, 'local-token');

/** The kept token, or undefined when there is none (or the file is empty). */
export const readTokenFile = (path: string): string | undefined => {
  try {
    return readFileSync(path, 'utf8').trim() || undefined;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
};

/** Writes a token readable by its owner only, aside first and then renamed, so a reader (a running
 * gateway watching the file) never sees half of one. */
export const writeTokenFile = (folder: string, token: string): void => {
  ensurePrivateFolder(folder);
  const path = tokenFilePath(folder);
  const aside = `${path}.${process.pid}.tmp`;
  writeFileSync(aside, `${token}\n`, { mode: 0o600 });
  renameSync(aside, path);
};

/** The kept token, made and kept first when there is none. */
export const keptToken = (folder: string): { token: string; generated: boolean } => {
  const existing = readTokenFile(tokenFilePath(folder));
  if (existing) return { token: existing, generated: false };
  const token = generateLocalToken();
  writeTokenFile(folder, token);
  return { token, generated: true };
};

/** Replaces the kept token with a new one; a gateway watching the file refuses the old one. */
export const rotateToken = (folder: string): string => {
  const token = generateLocalToken();
  writeTokenFile(folder, token);
  return token;
};
