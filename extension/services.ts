import type * as vscode from 'vscode';
import type { Catalog } from '../proxy/catalog/catalog.js';
import type { GatewayContext } from '../proxy/server/gateway-context.js';
import type { RatingStore } from '../proxy/usage/ratings.js';
import type { ModelAllowance } from './allowed-models.js';
import type { ExtensionLog } from './log-channel.js';
import type { GatewayHost } from './gateway/gateway-host.js';
import type { ModelState } from './model-picker/model-state.js';
import type { ModapiSecrets } from './secrets/modapi-secrets.js';

/** What the extension's parts share. Built once in `activate`. */
export interface ExtensionServices {
  readonly extensionContext: vscode.ExtensionContext;
  readonly log: ExtensionLog;
  readonly secrets: ModapiSecrets;
  readonly gateway: GatewayHost;
  /** The chosen model, recents and favourites (globalState). */
  readonly models: ModelState;
  /** The gateway core for in-process calls (the chat view): the running gateway's, or one built
   * without listening when the gateway is off or its port is taken. */
  gatewayContext(): Promise<GatewayContext>;
  catalog(): Promise<Catalog>;
  /** Where ratings of answers go (beside the usage ledger); undefined while none is connected. */
  ratings(): RatingStore | undefined;
  /** Fires after a rating is set or removed through `ratings()`. */
  readonly onDidRate: vscode.Event<void>;
  /** Which models the editor's surfaces may use here (`modapi.workspace.allowedModels`), read now. */
  allowance(): ModelAllowance;
}

/** A feature added on top of the core (chat view, usage panel). `register` pushes everything it
 * creates into `context.subscriptions`. */
export interface FeatureModule {
  readonly name: string;
  register(context: vscode.ExtensionContext, services: ExtensionServices): void;
}
