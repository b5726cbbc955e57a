import { join } from 'node:path';
import * as vscode from 'vscode';
import type { LedgerLoadProgress, UsageLedger } from '../proxy/usage/usage-ledger.js';
import type { GatewayHost } from './gateway/gateway-host.js';
import type { ExtensionLog } from './log-channel.js';

/** Usage records go to the ledger under the extension's global storage (one JSON-lines file per
 * month), kept open across gateway restarts; the chat view's in-process calls record there too.
 * The ledger builds its rollups in steps that hand the extension host back every few milliseconds;
 * the window's status bar shows how far it is meanwhile. */
export const attachUsageLedger = async (context: vscode.ExtensionContext, gateway: GatewayHost, log: ExtensionLog): Promise<void> => {
  const { logLedgerLoad, UsageLedger } = await import('../proxy/usage/usage-ledger.js');
  const dir = join(context.globalStorageUri.fsPath, 'usage');
  const ledger = new UsageLedger({ dir });
  gateway.ledger = ledger;
  gateway.usage = ledger;
  context.subscriptions.push({ dispose: () => ledger.close() });
  if (ledger.loading) void showLoadProgress(ledger);
  void logLedgerLoad(ledger, dir, log);
};

const showLoadProgress = (ledger: UsageLedger): Thenable<void> =>
  vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'ModAPI usage' }, async (progress) => {
    const report = (state: LedgerLoadProgress) => progress.report({ message: `reading the ledger, ${state.monthsRead} of ${state.months} months` });
    report(ledger.loadProgress);
    ledger.on('load-progress', report);
    try {
      await ledger.loaded;
    } finally {
      ledger.off('load-progress', report);
    }
  });
