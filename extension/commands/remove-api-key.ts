import * as vscode from 'vscode';
import type { ModapiCommand } from './command.js';

export const removeApiKey: ModapiCommand = {
  id: 'modapi.removeApiKey',
  async run(services) {
    if (!(await services.secrets.apiKey())) {
      void vscode.window.showInformationMessage('ModAPI: no API key is stored.');
      return;
    }
    const confirmed = await vscode.window.showWarningMessage('Remove the ModAPI API key from this machine? Tools using the gateway will stop working until you set a key again.', { modal: true }, 'Remove');
    if (confirmed !== 'Remove') return;
    await services.secrets.removeApiKey();
    await services.gateway.refresh('API key removed');
    void vscode.window.showInformationMessage('ModAPI: API key removed.');
  },
};
