import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { finished } from 'node:stream/promises';
import * as vscode from 'vscode';
import { exportCsv, type ExportRequest, type ExportSource } from './usage-export.js';
import type { DayRange } from './usage-periods.js';

interface ExportFile {
  write(text: string): Promise<void>;
  /** Everything is written: the file is complete once this resolves. */
  finish(): Promise<void>;
  /** Stopped half-way: nothing half-written is left behind. */
  abandon(): Promise<void>;
}

/** A local file is streamed to disk as the pieces come (a year of requests is more text than one
 * string may hold), waiting whenever the disk is behind. */
const localFile = (path: string): ExportFile => {
  const stream = createWriteStream(path);
  // Kept here so a failed write is not an unhandled 'error' event in the extension host.
  let failure: Error | undefined;
  stream.on('error', (error) => (failure = error));
  return {
    write: async (text) => {
      if (failure) throw failure;
      if (!stream.write(text)) await once(stream, 'drain');
    },
    finish: async () => {
      stream.end();
      await finished(stream);
    },
    abandon: async () => {
      stream.destroy();
      await rm(path, { force: true });
    },
  };
};

/** Any other file system (a remote workspace's) takes the file whole. */
const wholeFile = (target: vscode.Uri): ExportFile => {
  const pieces: Buffer[] = [];
  return {
    write: (text) => {
      pieces.push(Buffer.from(text, 'utf8'));
      return Promise.resolve();
    },
    finish: () => Promise.resolve(vscode.workspace.fs.writeFile(target, Buffer.concat(pieces))),
    abandon: () => Promise.resolve(),
  };
};

/** Writes one panel view's CSV to `target` with a cancellable progress notification while the
 * ledger is read. Returns the rows written, or undefined when the user cancelled (no file left). */
export const exportToFile = (source: ExportSource, request: ExportRequest, range: DayRange, target: vscode.Uri): Promise<number | undefined> =>
  Promise.resolve(
    vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'ModAPI: exporting usage as CSV', cancellable: true }, async (progress, cancellation) => {
      const controller = new AbortController();
      const subscription = cancellation.onCancellationRequested(() => controller.abort());
      const file = target.scheme === 'file' ? localFile(target.fsPath) : wholeFile(target);
      let shown = 0;
      try {
        const rows = await exportCsv(source, request, range, {
          write: (text) => file.write(text),
          signal: controller.signal,
          onProgress: ({ read, total }) => {
            const percent = total > 0 ? Math.min(100, (read / total) * 100) : 0;
            progress.report({ increment: percent - shown, message: `${read.toLocaleString('en-US')} of ${total.toLocaleString('en-US')} requests read` });
            shown = percent;
          },
        });
        await file.finish();
        return rows;
      } catch (error) {
        await file.abandon();
        if (controller.signal.aborted) return undefined;
        throw error;
      } finally {
        subscription.dispose();
      }
    }),
  );
