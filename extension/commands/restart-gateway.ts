import * as vscode from 'vscode';
import type { ModapiCommand } from './command.js';

export const restartGateway: ModapiCommand = {
  id: 'modapi.restartGateway',
  async run(services) {
    await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'ModAPI: restarting the gateway' }, () => services.gateway.restart('Restart Gateway command'));
    const state = services.gateway.state;
    if (state.kind === 'running') void vscode.window.showInformationMessage(`ModAPI: gateway restarted on ${state.url}.`);
  },
};
