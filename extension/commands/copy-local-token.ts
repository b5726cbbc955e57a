import * as vscode from 'vscode';
import type { ModapiCommand } from './command.js';
import { pickToken } from './pick-token.js';

/** Copies a token to the clipboard; the notification names it but never shows it. */
export const copyLocalToken: ModapiCommand = {
  id: 'modapi.copyLocalToken',
  async run(services) {
    const entry = await pickToken(services, 'ModAPI: Copy Local Token');
    if (!entry) return;
    await vscode.env.clipboard.writeText(entry.token);
    services.log.info(`local token "${entry.name}" copied to the clipboard`);
    void vscode.window.showInformationMessage(`ModAPI: local token "${entry.name}" copied. Use it as the API key of the tool that calls the gateway.`);
  },
};
