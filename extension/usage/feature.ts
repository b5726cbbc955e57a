import * as vscode from 'vscode';
import type { FeatureModule } from '../services.js';
import { BudgetAlerts } from './budget-alerts.js';
import { USAGE_PANEL_TYPE, UsagePanel } from './usage-panel.js';
import { UsageSource } from './usage-source.js';

/** The usage panel ("ModAPI: Show Usage") and the budget hint and notifications. */
export const usageFeature: FeatureModule = {
  name: 'usage panel',
  register(context, services) {
    const source = new UsageSource(services.gateway);
    const panel = new UsagePanel(services, source);
    context.subscriptions.push(
      vscode.commands.registerCommand('modapi.showUsage', () => panel.show()),
      source,
      panel,
      new BudgetAlerts(source, services.log),
      // An open usage panel comes back after a window reload (activation event onWebviewPanel).
      vscode.window.registerWebviewPanelSerializer(USAGE_PANEL_TYPE, {
        deserializeWebviewPanel: async (restored) => panel.restore(restored),
      }),
    );
  },
};
