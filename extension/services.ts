import type * as vscode from 'vscode';
import type { Catalog } from '../proxy/catalog/catalog.js';
import type { GatewayContext } from '../proxy/server/gateway-context.js';
import type { ExtensionLog } from './log-channel.js';
import type { GatewayHost } from './gateway/gateway-host.js';
import type { ModelState } from './model-picker/model-state.js';
import type { ModapiSecrets } from './secrets/modapi-secrets.js';

/** Commands whose real work a feature module provides (the chat view, the usage panel). Until
 * one registers, the command still exists and says the feature is not in this build. */
export interface EntryPoints {
  openChat?: () => Promise<void> | void;
  showUsage?: () => Promise<void> | void;
}

/** What the extension's parts share. Built once in `activate`. */
export interface ExtensionServices {
  readonly extensionContext: vscode.ExtensionContext;
  readonly log: ExtensionLog;
  readonly secrets: ModapiSecrets;
  readonly gateway: GatewayHost;
  /** The chosen model, recents and favourites (globalState). */
  readonly models: ModelState;
  readonly entryPoints: EntryPoints;
  /** The gateway core for in-process calls (the chat view): the running gateway's, or one built
   * without listening when the gateway is off or its port is taken. */
  gatewayContext(): Promise<GatewayContext>;
  catalog(): Promise<Catalog>;
}

/** A feature added on top of the core (chat view, usage panel). `register` pushes everything it
 * creates into `context.subscriptions`. */
export interface FeatureModule {
  readonly name: string;
  register(context: vscode.ExtensionContext, services: ExtensionServices): void;
}
