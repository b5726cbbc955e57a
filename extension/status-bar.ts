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

/** One item: the current model and the gateway's state; a click opens the model picker. Before
 * any key is stored it asks for one instead, which is what a new user needs first. */
export const registerStatusBar = (context: vscode.ExtensionContext, services: ExtensionServices): void => {
  const item = vscode.window.createStatusBarItem('modapi.status', vscode.StatusBarAlignment.Right, 100);
  item.name = 'ModAPI';
  let hasKey = true;
  const update = (): void => {
    const state = services.gateway.state;
    const model = services.models.current;
    const gateway = describeGatewayState(state);
    if (!hasKey) {
      item.text = '$(key) ModAPI: Set API Key';
      item.command = 'modapi.setApiKey';
      item.tooltip = new vscode.MarkdownString(`**ModAPI**\n\nNo API key yet: click to set it (kept in SecretStorage).\n\n${gateway}`);
    } else {
      item.text = `${ICONS[state.kind]} ${model ?? 'ModAPI: pick a model'}`;
      item.command = 'modapi.selectModel';
      item.tooltip = new vscode.MarkdownString(`**ModAPI**\n\nModel: ${model ? `\`${model}\`` : 'none chosen'}\n\n${gateway}\n\nClick to select a model.`);
    }
    item.accessibilityInformation = { label: `ModAPI model ${model ?? 'none'}${hasKey ? '' : ', no API key set'}, ${gateway}` };
    item.backgroundColor = state.kind === 'port-busy' || state.kind === 'failed' ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
  };
  const checkKey = async (): Promise<void> => {
    hasKey = (await services.secrets.apiKey()) !== undefined;
    update();
  };
  update();
  void checkKey();
  item.show();
  context.subscriptions.push(
    item,
    services.gateway.onDidChangeState(update),
    services.models.onDidChange(update),
    services.secrets.onDidChange((which) => {
      if (which === 'apiKey') void checkKey();
    }),
  );
};
