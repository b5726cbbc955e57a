import * as vscode from 'vscode';
import type { ModapiCommand } from './command.js';

/** The chat view module sets `services.entryPoints.openChat`; until then the command says so. */
export const openChat: ModapiCommand = {
  id: 'modapi.openChat',
  async run(services) {
    if (services.entryPoints.openChat) return services.entryPoints.openChat();
    void vscode.window.showInformationMessage('ModAPI: the chat view is not part of this build yet.');
  },
};
