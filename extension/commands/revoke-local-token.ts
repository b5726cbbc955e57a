import * as vscode from 'vscode';
import type { ModapiCommand } from './command.js';
import { pickToken } from './pick-token.js';

export const revokeLocalToken: ModapiCommand = {
  id: 'modapi.revokeLocalToken',
  async run(services) {
    const entry = await pickToken(services, 'ModAPI: Revoke Local Token', true);
    if (!entry) return;
    const confirmed = await vscode.window.showWarningMessage(`Revoke the local token "${entry.name}"? Tools using it will get 401 from the gateway.`, { modal: true }, 'Revoke');
    if (confirmed !== 'Revoke') return;
    await services.secrets.revokeLocalToken(entry.name);
    await services.gateway.reloadTokens();
    services.log.info(`local token "${entry.name}" revoked`);
    void vscode.window.showInformationMessage(`ModAPI: local token "${entry.name}" revoked.`);
  },
};
