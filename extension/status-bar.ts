import * as vscode from 'vscode';
import { describeGatewayState, type GatewayState } from './gateway/gateway-state.js';
import type { ExtensionServices } from './services.js';

const ICONS: Record<GatewayState['kind'], string> = {
  starting: '$(loading~spin)',
  running: '$(radio-tower)',
  disabled: '$(circle-slash)',
  'port-busy': '$(warning)',
  failed: '$(error)',
};

/** One item: the current model and the gateway's state; a click opens the model picker. */
export const registerStatusBar = (context: vscode.ExtensionContext, services: ExtensionServices): void => {
  const item = vscode.window.createStatusBarItem('modapi.status', vscode.StatusBarAlignment.Right, 100);
  item.name = 'ModAPI';
  item.command = 'modapi.selectModel';
  const update = (): void => {
    const state = services.gateway.state;
    const model = services.models.current;
    item.text = `${ICONS[state.kind]} ${model ?? 'ModAPI: pick a model'}`;
    const tooltip = new vscode.MarkdownString(`**ModAPI**\n\nModel: ${model ? `\`${model}\`` : 'none chosen'}\n\n${describeGatewayState(state)}\n\nClick to select a model.`);
    item.tooltip = tooltip;
    item.accessibilityInformation = { label: `ModAPI model ${model ?? 'none'}, ${describeGatewayState(state)}` };
    item.backgroundColor = state.kind === 'port-busy' || state.kind === 'failed' ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
  };
  update();
  item.show();
  context.subscriptions.push(item, services.gateway.onDidChangeState(update), services.models.onDidChange(update));
};
