import * as vscode from 'vscode';
import { DEFAULT_PROVIDER_ID, PROVIDER_PRESETS } from '../../proxy/providers/presets.js';
import type { ModapiCommand } from './command.js';
import { reportKeyCheck } from './set-api-key.js';

/** A direct provider's own key (OpenAI, Anthropic, Gemini, ...), for `provider/model` ids. */
export const addProviderKey: ModapiCommand = {
  id: 'modapi.addProviderKey',
  async run(services) {
    const stored = await services.secrets.providerKeys();
    const providers = PROVIDER_PRESETS.filter((preset) => preset.id !== DEFAULT_PROVIDER_ID && !preset.keyOptional);
    const picked = await vscode.window.showQuickPick(
      providers.map((preset) => ({ label: preset.id, description: stored[preset.id] ? 'key stored: a new one replaces it' : preset.defaultBaseUrl, preset })),
      { title: 'ModAPI: Add Provider Key', placeHolder: 'Which provider? Its models are then available as provider/model (e.g. anthropic/claude-sonnet-4-5).' },
    );
    if (!picked) return;
    const key = await vscode.window.showInputBox({
      title: `ModAPI: ${picked.preset.id} API key`,
      prompt: `The ${picked.preset.id} API key, kept in VS Code SecretStorage. The base URL can be changed in the modapi.providers setting.`,
      password: true,
      ignoreFocusOut: true,
      validateInput: (value) => (value.trim().length === 0 ? 'The key cannot be empty.' : undefined),
    });
    if (key === undefined) return;
    await services.secrets.setProviderKey(picked.preset.id, key.trim());
    await services.gateway.refresh(`${picked.preset.id} key changed`);
    await reportKeyCheck(services, picked.preset.id, `${picked.preset.id} API key`, 'modapi.addProviderKey');
  },
};
