import * as vscode from 'vscode';
import type { ExtensionServices } from '../services.js';
import { ChatSession } from './chat-session.js';
import { ConversationStore } from './conversation-store.js';
import { EditorTracker } from './editor-actions.js';
import { toModelOptions } from './model-options.js';
import { RECENT_SHOWN } from '../model-picker/picker-items.js';
import { parseViewMessage, type HostMessage, type MediaItem, type ModelOption, type ModelShortlist } from './protocol.js';
import { handleViewMessage } from './view-messages.js';
import { chatViewHtml } from './webview-html.js';

/** The sidebar chat: a webview view whose page only renders, while everything that touches the
 * gateway, the editor or the disk happens here, behind the validated message protocol. */
export class ChatViewProvider implements vscode.WebviewViewProvider, vscode.Disposable {
  private view: vscode.WebviewView | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  readonly store: ConversationStore;
  readonly session: ChatSession;
  readonly editors = new EditorTracker();

  constructor(
    private readonly context: vscode.ExtensionContext,
    readonly services: ExtensionServices,
  ) {
    this.store = new ConversationStore(vscode.Uri.joinPath(context.globalStorageUri, 'chat').fsPath);
    this.session = new ChatSession(this.store, {
      post: (message) => this.post(message),
      gatewayContext: () => services.gatewayContext(),
      models: () => this.models(),
      withMedia: (value) => this.withMedia(value),
      log: services.log,
      refusal: (model) => services.allowance().refusal(model),
      ratings: () => services.ratings(),
    }, services.models.current ?? '');
    this.disposables.push(
      this.editors,
      services.models.onDidChange(() => void this.postModels()),
      // A (re)started gateway has a new catalog: a key just set brings the provider's live list.
      services.gateway.onDidChangeState((state) => {
        if (state.kind === 'running' && this.view) void this.postModels();
      }),
    );
  }

  resolveWebviewView(view: vscode.WebviewView): void {
    this.view = view;
    const mediaRoot = vscode.Uri.joinPath(this.context.extensionUri, 'dist', 'media');
    view.webview.options = { enableScripts: true, enableCommandUris: false, localResourceRoots: [mediaRoot] };
    view.webview.html = chatViewHtml({
      cspSource: view.webview.cspSource,
      scriptUri: view.webview.asWebviewUri(vscode.Uri.joinPath(mediaRoot, 'chat.js')).toString(),
      styleUri: view.webview.asWebviewUri(vscode.Uri.joinPath(mediaRoot, 'chat.css')).toString(),
    });
    this.disposables.push(
      view.webview.onDidReceiveMessage((raw: unknown) => {
        const message = parseViewMessage(raw);
        if (!message) {
          this.services.log.warn(`chat view: dropped a message outside the protocol (${typeof raw === 'object' && raw ? String((raw as { type?: unknown }).type) : typeof raw})`);
          return;
        }
        handleViewMessage(this, message).catch((error: unknown) => {
          this.services.log.error(`chat view: ${message.type} failed: ${(error as Error).message}`);
          this.post({ type: 'notice', level: 'error', message: this.services.log.redactor.redact((error as Error).message) });
        });
      }),
      view.onDidDispose(() => {
        if (this.view === view) this.view = undefined;
      }),
    );
  }

  post(message: HostMessage): void {
    void this.view?.webview.postMessage(message);
  }

  async models(refresh = false): Promise<ModelOption[]> {
    try {
      const catalog = await this.services.catalog();
      // Only the models this folder allows (modapi.workspace.allowedModels) are offered.
      return this.services.allowance().filter(toModelOptions(await catalog.list(refresh)));
    } catch (error) {
      this.services.log.warn(`chat view: model list unavailable: ${(error as Error).message}`);
      return [];
    }
  }

  /** The model the view offers first: the palette's choice when the view can chat with it. */
  async selectedModel(models: ModelOption[]): Promise<string> {
    const current = this.services.models.current;
    if (current && models.some((model) => model.id === current)) return current;
    const allowance = this.services.allowance();
    const candidates = [this.session.conversation.model, current].filter((id): id is string => Boolean(id) && allowance.allows(id!));
    return candidates[0] || models.find((model) => model.modalities.includes('text'))?.id || '';
  }

  async postState(): Promise<void> {
    const models = await this.models();
    this.post({
      type: 'state',
      models,
      shortlist: this.shortlist(),
      selectedModel: await this.selectedModel(models),
      conversations: await this.store.list(),
      conversation: await this.withMedia(this.session.conversation),
    });
  }

  async postModels(refresh = false): Promise<void> {
    const models = await this.models(refresh);
    this.post({ type: 'models', models, shortlist: this.shortlist(), selectedModel: await this.selectedModel(models) });
  }

  /** The palette's favourites and recent models, offered first in the view's chooser. */
  shortlist(): ModelShortlist {
    return { favourites: this.services.models.favourites, recent: this.services.models.recent.slice(0, RECENT_SHOWN) };
  }

  /** A copy with every media item's bytes inlined (the CSP allows media only as data/blob). */
  async withMedia<T>(value: T): Promise<T> {
    const copy = structuredClone(value);
    const items: MediaItem[] = [];
    const collect = (node: unknown): void => {
      if (Array.isArray(node)) node.forEach(collect);
      else if (node && typeof node === 'object') {
        const record = node as Record<string, unknown>;
        if (Array.isArray(record.media)) items.push(...(record.media as MediaItem[]));
        for (const key of ['turns', 'answers']) if (Array.isArray(record[key])) collect(record[key]);
      }
    };
    collect(copy);
    for (const item of items) item.data = (await this.store.readMedia(item.file))?.toString('base64');
    return copy;
  }

  dispose(): void {
    this.session.stop();
    for (const disposable of this.disposables.splice(0)) disposable.dispose();
  }
}
