import { join } from 'node:path';
import type * as vscode from 'vscode';
import type { GatewayHost } from './gateway/gateway-host.js';
import type { ExtensionLog } from './log-channel.js';

/** Usage records go to the ledger under the extension's global storage (one JSON-lines file per
 * month), kept open across gateway restarts; the chat view's in-process calls record there too. */
export const attachUsageLedger = async (context: vscode.ExtensionContext, gateway: GatewayHost, log: ExtensionLog): Promise<void> => {
  const { UsageLedger } = await import('../proxy/usage/usage-ledger.js');
  const dir = join(context.globalStorageUri.fsPath, 'usage');
  const ledger = new UsageLedger({ dir });
  const stats = ledger.loadStats;
  log.info(`usage ledger: ${dir} (${stats.recordsParsed} records read, ${stats.milliseconds} ms${stats.skippedLines ? `, ${stats.skippedLines} damaged lines skipped` : ''})`);
  gateway.ledger = ledger;
  gateway.usage = ledger;
  context.subscriptions.push({ dispose: () => ledger.close() });
};
