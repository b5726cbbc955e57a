import * as vscode from 'vscode';
import { describeGatewayState } from '../gateway/gateway-state.js';
import type { ModapiCommand } from './command.js';

export const copyGatewayUrl: ModapiCommand = {
  id: 'modapi.copyGatewayUrl',
  async run(services) {
    const running = services.gateway.current();
    if (!running) {
      void vscode.window.showWarningMessage(`ModAPI: ${describeGatewayState(services.gateway.state)}.`);
      return;
    }
    await vscode.env.clipboard.writeText(running.url);
    void vscode.window.showInformationMessage(`ModAPI: copied ${running.url} (use it as the OpenAI base URL).`);
  },
};
