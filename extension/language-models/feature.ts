import * as vscode from 'vscode';
import type { FeatureModule } from '../services.js';
import type { ModapiChatProvider } from './chat-provider.js';
import type { LanguageModelChatInformation, LanguageModelChatProvider, LanguageModelChatRequestMessage, LanguageModelProviderNamespace, LanguageModelResponsePart, ProvideLanguageModelChatResponseOptions } from './lm-provider-api.js';
import { estimateTokens } from './token-estimate.js';

/** Must equal the vendor contributed under `languageModelChatProviders` in package.json. */
export const VENDOR = 'modapi';

/** The registration function where this VS Code has it (1.104 and later), else undefined. */
const registrationFunction = (): LanguageModelProviderNamespace['registerLanguageModelChatProvider'] => {
  try {
    const register = (vscode.lm as unknown as LanguageModelProviderNamespace | undefined)?.registerLanguageModelChatProvider;
    return typeof register === 'function' ? register.bind(vscode.lm) : undefined;
  } catch {
    return undefined;
  }
};

/** ModAPI's models in VS Code's own chat: registered only where the API exists, so VS Code 1.100
 * to 1.103 and the forks on them run the extension without it. The provider's code (the gateway
 * core) loads on first use; token counts, asked thousands of times a turn, never wait for it. */
export const languageModelsFeature: FeatureModule = {
  name: 'language model provider',
  register(context, services) {
    const register = registrationFunction();
    if (!register) {
      services.log.info('VS Code has no language model provider API here (it needs 1.104 or later): ModAPI models are not offered in its chat');
      return;
    }
    const changed = new vscode.EventEmitter<void>();
    let loading: Promise<ModapiChatProvider> | undefined;
    const load = (): Promise<ModapiChatProvider> =>
      (loading ??= import('./chat-provider.js').then(
        ({ ModapiChatProvider }) =>
          new ModapiChatProvider({
            gatewayContext: () => services.gatewayContext(),
            preferences: () => ({ favourites: services.models.favourites, recent: services.models.recent }),
            parts: { text: (value) => new vscode.LanguageModelTextPart(value), toolCall: (callId, name, input) => new vscode.LanguageModelToolCallPart(callId, name, input) },
            onListError: (error) => services.log.warn(`VS Code chat: model list unavailable: ${(error as Error).message}`),
            allowance: () => services.allowance(),
          }),
      ));
    const provider: LanguageModelChatProvider = {
      onDidChangeLanguageModelChatInformation: changed.event,
      provideLanguageModelChatInformation: async (options) => (await load()).provideLanguageModelChatInformation(options),
      provideLanguageModelChatResponse: async (model: LanguageModelChatInformation, messages: readonly LanguageModelChatRequestMessage[], options: ProvideLanguageModelChatResponseOptions, progress: vscode.Progress<LanguageModelResponsePart>, token: vscode.CancellationToken) =>
        (await load()).provideLanguageModelChatResponse(model, messages, options, progress, token),
      provideTokenCount: (_model, text) => Promise.resolve(estimateTokens(text)),
    };
    try {
      context.subscriptions.push(
        changed,
        register(VENDOR, provider),
        // The list follows the keys, the catalog of a (re)started gateway, favourites and recents.
        services.secrets.onDidChange((which) => which !== 'localTokens' && changed.fire()),
        services.gateway.onDidChangeState((state) => state.kind === 'running' && changed.fire()),
        services.models.onDidChange(() => changed.fire()),
      );
    } catch (error) {
      services.log.warn(`VS Code chat: the ModAPI model provider could not be registered: ${(error as Error).message}`);
    }
  },
};
