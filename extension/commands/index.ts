import * as vscode from 'vscode';
import { notifyProblem } from '../notify.js';
import type { ExtensionServices } from '../services.js';
import { addProviderKey } from './add-provider-key.js';
import type { ModapiCommand } from './command.js';
import { copyGatewayUrl } from './copy-gateway-url.js';
import { copyLocalToken } from './copy-local-token.js';
import { createLocalToken } from './create-local-token.js';
import { removeApiKey } from './remove-api-key.js';
import { restartGateway } from './restart-gateway.js';
import { revokeLocalToken } from './revoke-local-token.js';
import { selectModel } from './select-model.js';
import { setApiKey } from './set-api-key.js';
import { showLogs } from './show-logs.js';

/** The palette commands of the core; the chat view and the usage panel register their own (Open
 * Chat, Show Usage) with the rest of their feature. */
export const COMMANDS: readonly ModapiCommand[] = [
  setApiKey,
  removeApiKey,
  selectModel,
  copyGatewayUrl,
  copyLocalToken,
  createLocalToken,
  revokeLocalToken,
  restartGateway,
  addProviderKey,
  showLogs,
];

/** A failing command says so instead of failing silently; what went wrong is in the log. */
export const registerCommands = (context: vscode.ExtensionContext, services: ExtensionServices): void => {
  for (const command of COMMANDS) {
    context.subscriptions.push(
      vscode.commands.registerCommand(command.id, async () => {
        try {
          await command.run(services);
        } catch (error) {
          void notifyProblem(services.log, 'error', `ModAPI: the command ${command.id} failed.`, (error as Error).message);
        }
      }),
    );
  }
};
