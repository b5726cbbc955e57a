import type * as vscode from 'vscode';
import type { GatewayHost } from './gateway/gateway-host.js';
import type { ExtensionLog } from './log-channel.js';

/** Usage records go to the ledger under the extension's global storage, once proxy/usage has one. */
export const attachUsageLedger = async (context: vscode.ExtensionContext, _gateway: GatewayHost, _log: ExtensionLog): Promise<void> => {
  void context.globalStorageUri;
};
