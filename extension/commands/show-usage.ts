import * as vscode from 'vscode';
import type { ModapiCommand } from './command.js';

/** The usage panel module sets `services.entryPoints.showUsage`; until then the command says so. */
export const showUsage: ModapiCommand = {
  id: 'modapi.showUsage',
  async run(services) {
    if (services.entryPoints.showUsage) return services.entryPoints.showUsage();
    void vscode.window.showInformationMessage('ModAPI: the usage panel is not part of this build yet.');
  },
};
