import * as vscode from 'vscode';
import { validateTokenName } from '../secrets/token-format.js';
import type { ModapiCommand } from './command.js';

export const createLocalToken: ModapiCommand = {
  id: 'modapi.createLocalToken',
  async run(services) {
    const existing = (await services.secrets.localTokens()).map((entry) => entry.name);
    const name = await vscode.window.showInputBox({
      title: 'ModAPI: Create Local Token',
      prompt: 'Name the tool that will use this token (usage and budgets are counted per token).',
      placeHolder: 'aider, claude-code, continue, scripts',
      ignoreFocusOut: true,
      validateInput: (value) => validateTokenName(value, existing),
    });
    if (name === undefined) return;
    const entry = await services.secrets.createLocalToken(name.trim());
    await services.gateway.reloadTokens();
    await vscode.env.clipboard.writeText(entry.token);
    services.log.info(`local token "${entry.name}" created`);
    void vscode.window.showInformationMessage(`ModAPI: local token "${entry.name}" created and copied to the clipboard.`);
  },
};
