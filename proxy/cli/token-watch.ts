import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';
import { readTokenFile } from './token-file.js';

/** A rotation (`modapi-gateway token --rotate`, another process) settles before the file is read. */
const SETTLE_MS = 50;

/** Calls `changed` with the new token whenever the kept token file holds a different one. The
 * folder is watched, not the file: a rotation renames a new file over the old one. */
export const watchTokenFile = (path: string, current: string, changed: (token: string) => void, failed: (error: Error) => void): FSWatcher | undefined => {
  let known = current;
  let pending: NodeJS.Timeout | undefined;
  const check = () => {
    pending = undefined;
    try {
      const token = readTokenFile(path);
      if (!token || token === known) return;
      known = token;
      changed(token);
    } catch (error) {
      failed(error as Error);
    }
  };
  try {
    const watcher = watch(dirname(path), { persistent: false }, (_event, name) => {
      if (name !== null && name !== basename(path)) return;
      if (pending) clearTimeout(pending);
      pending = setTimeout(check, SETTLE_MS);
      pending.unref();
    });
    watcher.on('error', failed);
    return watcher;
  } catch (error) {
    failed(error as Error);
    return undefined;
  }
};
