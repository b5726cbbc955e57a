import type * as vscode from 'vscode';
import type { GatewayContext } from '../../proxy/server/gateway-context.js';
import type { ModelAllowance } from '../allowed-models.js';
import type { PickerPreferences } from '../model-picker/picker-items.js';
import { toChatRequest } from './chat-request.js';
import { respond, type ResponsePartFactory } from './chat-response.js';
import type { LanguageModelChatInformation, LanguageModelChatProvider, LanguageModelChatRequestMessage, LanguageModelResponsePart, PrepareLanguageModelChatModelOptions, ProvideLanguageModelChatResponseOptions } from './lm-provider-api.js';
import { toChatInformation } from './model-information.js';
import { estimateTokens } from './token-estimate.js';

/** What the provider needs from the extension; nothing here touches `vscode` at run time. */
export interface ChatProviderDependencies {
  gatewayContext(): Promise<GatewayContext>;
  preferences(): Pick<PickerPreferences, 'favourites' | 'recent'>;
  parts: ResponsePartFactory<LanguageModelResponsePart>;
  onDidChange?: vscode.Event<void>;
  onListError?(error: unknown): void;
  /** Which models this folder allows (`modapi.workspace.allowedModels`); every model without it. */
  allowance?(): ModelAllowance;
}

/** ModAPI's models in VS Code's own chat and model picker, answered by the in-process gateway. */
export class ModapiChatProvider implements LanguageModelChatProvider<LanguageModelChatInformation> {
  readonly onDidChangeLanguageModelChatInformation: vscode.Event<void> | undefined;

  constructor(private readonly dependencies: ChatProviderDependencies) {
    this.onDidChangeLanguageModelChatInformation = dependencies.onDidChange;
  }

  /** The catalog's chat models of every provider that has a key; none without a key (VS Code's
   * Language Models page then offers the management command, Set API Key). */
  async provideLanguageModelChatInformation(_options: PrepareLanguageModelChatModelOptions): Promise<LanguageModelChatInformation[]> {
    try {
      const gateway = await this.dependencies.gatewayContext();
      const keyed = new Set(gateway.registry.configured().filter((provider) => provider.apiKey || provider.keyOptional).map((provider) => provider.id));
      const entries = (await gateway.catalog.list()).filter((entry) => keyed.has(entry.provider));
      return toChatInformation(this.dependencies.allowance?.().filter(entries) ?? entries, this.dependencies.preferences());
    } catch (error) {
      this.dependencies.onListError?.(error);
      return [];
    }
  }

  async provideLanguageModelChatResponse(model: LanguageModelChatInformation, messages: readonly LanguageModelChatRequestMessage[], options: ProvideLanguageModelChatResponseOptions, progress: vscode.Progress<LanguageModelResponsePart>, token: vscode.CancellationToken): Promise<void> {
    // A model chosen before the folder narrowed the list (or asked for through vscode.lm by id).
    const refusal = this.dependencies.allowance?.().refusal(model.id);
    if (refusal) throw new Error(refusal);
    const controller = new AbortController();
    const cancellation = token.onCancellationRequested(() => controller.abort());
    if (token.isCancellationRequested) controller.abort();
    try {
      const gateway = await this.dependencies.gatewayContext();
      const acceptsImages = gateway.catalog.find(model.id)?.modalities.includes('vision') ?? false;
      const request = toChatRequest(model.id, messages, options, acceptsImages);
      await respond(gateway, request, this.dependencies.parts, (part) => progress.report(part), controller.signal);
    } finally {
      cancellation.dispose();
    }
  }

  provideTokenCount(_model: LanguageModelChatInformation, text: string | LanguageModelChatRequestMessage): Promise<number> {
    return Promise.resolve(estimateTokens(text));
  }
}
