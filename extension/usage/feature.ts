import * as vscode from 'vscode';
import type { FeatureModule } from '../services.js';
import { BudgetAlerts } from './budget-alerts.js';
import { USAGE_PANEL_TYPE } from './panel-type.js';
import type { UsagePanel } from './usage-panel.js';
import { UsageSource } from './usage-source.js';

/** The usage panel ("ModAPI: Show Usage") and the budget hint and notifications. The panel's
 * module (its host side and message schemas) loads when a panel is first shown, not at activation. */
export const usageFeature: FeatureModule = {
  name: 'usage panel',
  register(context, services) {
    const source = new UsageSource(services.gateway);
    let panel: Promise<UsagePanel> | undefined;
    const usagePanel = (): Promise<UsagePanel> =>
      (panel ??= import('./usage-panel.js').then(({ UsagePanel }) => {
        const created = new UsagePanel(services, source);
        context.subscriptions.push(created);
        return created;
      }));
    context.subscriptions.push(
      vscode.commands.registerCommand('modapi.showUsage', async () => (await usagePanel()).show()),
      source,
      new BudgetAlerts(source, services.log),
      // An open usage panel comes back after a window reload (activation event onWebviewPanel).
      vscode.window.registerWebviewPanelSerializer(USAGE_PANEL_TYPE, {
        deserializeWebviewPanel: async (restored) => (await usagePanel()).restore(restored),
      }),
    );
  },
};
