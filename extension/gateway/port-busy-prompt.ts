import * as vscode from 'vscode';
import type { ExtensionLog } from '../log-channel.js';
import { findFreePort } from './free-port.js';

const USE_FREE_PORT = 'Use a Free Port';
const CHANGE_PORT = 'Change Port';

/** The port is taken (often another gateway): say so plainly and offer a one-click way out.
 * Changing the setting restarts the gateway by itself. */
export const offerAnotherPort = async (port: number, log: ExtensionLog): Promise<void> => {
  const choice = await vscode.window.showErrorMessage(
    `ModAPI: the gateway cannot listen on port ${port}: another program is using it. Local tools cannot reach ModAPI until the gateway runs on a free port.`,
    USE_FREE_PORT,
    CHANGE_PORT,
  );
  if (choice === USE_FREE_PORT) {
    const free = await findFreePort();
    log.info(`port ${port} is busy; switching modapi.gateway.port to ${free}`);
    await vscode.workspace.getConfiguration('modapi').update('gateway.port', free, vscode.ConfigurationTarget.Global);
  } else if (choice === CHANGE_PORT) {
    await vscode.commands.executeCommand('workbench.action.openSettings', 'modapi.gateway.port');
  }
};
