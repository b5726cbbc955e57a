import * as vscode from 'vscode';
import { ALLOWED_MODELS_SETTING } from './allowed-models.js';
import { registerCommands } from './commands/index.js';
import { FEATURES } from './features.js';
import { GATEWAY_SETTING_KEYS } from './gateway/gateway-options.js';
import { GatewayHost } from './gateway/gateway-host.js';
import { ExtensionLog } from './log-channel.js';
import { ModelState } from './model-picker/model-state.js';
import { readModelAllowance } from './model-allowance.js';
import { observedRatingStore } from '../proxy/usage/ratings.js';
import { ModapiSecrets } from './secrets/modapi-secrets.js';
import type { ExtensionServices } from './services.js';
import { registerStatusBar } from './status-bar.js';
import { attachUsageLedger } from './usage-ledger.js';
import { WorkspaceSettingsGuard } from './workspace-settings-guard.js';

let gatewayHost: GatewayHost | undefined;

/** Registers everything synchronously and cheaply; the gateway (express, adapters) is loaded and
 * started after activation returns. */
export function activate(context: vscode.ExtensionContext): ExtensionServices {
  const started = performance.now();
  const log = new ExtensionLog();
  const secrets = new ModapiSecrets(context.secrets, (secret) => log.redactor.addSecret(secret));
  const gateway = new GatewayHost(secrets, log);
  const models = new ModelState(context.globalState);
  const workspaceSettings = new WorkspaceSettingsGuard(context.workspaceState, log);
  gatewayHost = gateway;
  context.subscriptions.push(log, secrets, gateway, models, workspaceSettings);

  const rated = new vscode.EventEmitter<void>();
  context.subscriptions.push(rated);
  const services: ExtensionServices = {
    extensionContext: context,
    log,
    secrets,
    gateway,
    models,
    gatewayContext: () => gateway.gatewayContext(),
    catalog: async () => (await gateway.gatewayContext()).catalog,
    allowance: readModelAllowance,
    ratings: () => {
      const store = gateway.ledger?.ratings ?? gateway.current()?.context.ledger?.ratings;
      return store && observedRatingStore(store, () => rated.fire());
    },
    onDidRate: rated.event,
  };

  registerCommands(context, services);
  registerStatusBar(context, services);
  context.subscriptions.push(
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (GATEWAY_SETTING_KEYS.some((key) => event.affectsConfiguration(key))) void gateway.refresh('settings changed');
      // The pickers (chat view, VS Code's chat) follow models.onDidChange.
      if (event.affectsConfiguration('modapi.defaultModel') || event.affectsConfiguration(ALLOWED_MODELS_SETTING)) models.notifyDefaultChanged();
    }),
    secrets.onDidChange((which) => {
      if (which === 'localTokens') void gateway.reloadTokens();
      else void gateway.refresh(`${which === 'apiKey' ? 'API key' : 'provider keys'} changed`);
    }),
  );
  for (const feature of FEATURES) feature.register(context, services);
  log.info(`activated in ${(performance.now() - started).toFixed(1)} ms`);

  void workspaceSettings.check();
  void (async () => {
    await secrets.ensureDefaultToken();
    await attachUsageLedger(context, gateway, log);
    await gateway.start();
  })().catch((error: unknown) => log.error(`startup: ${(error as Error).message}`));
  return services;
}

export async function deactivate(): Promise<void> {
  await gatewayHost?.stop();
  gatewayHost = undefined;
}
