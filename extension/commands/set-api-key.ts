import * as vscode from 'vscode';
import { checkProviderKey } from '../gateway/check-key.js';
import { notifyProblem } from '../notify.js';
import type { ExtensionServices } from '../services.js';
import type { ModapiCommand } from './command.js';

/** Checks a freshly stored key and says plainly whether ModAPI accepted it. */
export const reportKeyCheck = async (services: ExtensionServices, providerId: string, label: string, retryCommand: string): Promise<void> => {
  const result = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `ModAPI: checking the ${label}` }, async () =>
    checkProviderKey(await services.gatewayContext(), providerId),
  );
  if (result.kind === 'accepted') {
    services.log.info(`${label} accepted (${result.models} models listed)`);
    void vscode.window.showInformationMessage(`ModAPI: ${label} saved and accepted (${result.models} models available).`);
    return;
  }
  // What the provider said is its text, not ours: it goes to the log only (see notifyProblem).
  if (result.kind === 'rejected') {
    const sentence = `ModAPI: the ${label} was rejected (HTTP ${result.status}). Requests through the gateway will fail until you set a valid key.`;
    const choice = await notifyProblem(services.log, 'error', sentence, `The provider said: ${result.message}`, 'Set Key Again');
    if (choice === 'Set Key Again') await vscode.commands.executeCommand(retryCommand);
    return;
  }
  void notifyProblem(services.log, 'warning', `ModAPI: ${label} saved, but it could not be checked.`, result.message);
};

export const setApiKey: ModapiCommand = {
  id: 'modapi.setApiKey',
  async run(services) {
    const key = await vscode.window.showInputBox({
      title: 'ModAPI: Set API Key',
      prompt: 'Your ModAPI API key. It is kept in VS Code SecretStorage (the OS keychain), never in settings.',
      placeHolder: 'Paste your ModAPI API key',
      password: true,
      ignoreFocusOut: true,
      validateInput: (value) => (value.trim().length === 0 ? 'The key cannot be empty.' : undefined),
    });
    if (key === undefined) return;
    await services.secrets.setApiKey(key.trim());
    await services.gateway.refresh('API key changed');
    await reportKeyCheck(services, 'modapi', 'API key', 'modapi.setApiKey');
  },
};
