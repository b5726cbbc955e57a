import * as vscode from 'vscode';
import type { ExtensionServices, FeatureModule } from '../services.js';
import type { ChatViewProvider } from './chat-view-provider.js';

/** Must equal the view id contributed in package.json. */
export const CHAT_VIEW_ID = 'modapi.chatView';

/** Activation stays cheap: the view's code (the session, the gateway core, markdown, zod) is loaded
 * the first time the view opens or one of its commands runs. */
class LazyChatView implements vscode.WebviewViewProvider, vscode.Disposable {
  private loading: Promise<ChatViewProvider> | undefined;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly services: ExtensionServices,
  ) {}

  load(): Promise<ChatViewProvider> {
    this.loading ??= import('./chat-view-provider.js').then(({ ChatViewProvider }) => new ChatViewProvider(this.context, this.services));
    return this.loading;
  }

  async resolveWebviewView(view: vscode.WebviewView): Promise<void> {
    (await this.load()).resolveWebviewView(view);
  }

  dispose(): void {
    void this.loading?.then((provider) => provider.dispose());
  }
}

/** The chat view: its provider, the "Open Chat" entry point and the view's title-bar commands. */
export const chatFeature: FeatureModule = {
  name: 'chat view',
  register(context, services) {
    const view = new LazyChatView(context, services);
    context.subscriptions.push(
      vscode.commands.registerCommand('modapi.openChat', () => vscode.commands.executeCommand(`${CHAT_VIEW_ID}.focus`)),
      view,
      vscode.window.registerWebviewViewProvider(CHAT_VIEW_ID, view, { webviewOptions: { retainContextWhenHidden: true } }),
      vscode.commands.registerCommand('modapi.chat.newConversation', async () => {
        const provider = await view.load();
        await provider.session.startNew(provider.session.conversation.model || services.models.current || '');
      }),
      vscode.commands.registerCommand('modapi.chat.stop', async () => (await view.load()).session.stop()),
      vscode.commands.registerCommand('modapi.chat.refreshModels', async () => (await view.load()).postModels(true)),
    );
  },
};
