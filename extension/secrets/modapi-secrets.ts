import * as vscode from 'vscode';
import { generateLocalToken, parseKeyMap, parseTokenList, type LocalTokenEntry } from './token-format.js';

const API_KEY = 'modapi.apiKey';
const PROVIDER_KEYS = 'modapi.providerKeys';
const LOCAL_TOKENS = 'modapi.localTokens';

/** Every key and token lives in SecretStorage (the OS keychain), never in settings. Each secret
 * read is also taught to the log Redactor. */
export class ModapiSecrets implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<'apiKey' | 'providerKeys' | 'localTokens'>();
  readonly onDidChange = this.changed.event;
  private readonly subscription: vscode.Disposable;

  constructor(
    private readonly storage: vscode.SecretStorage,
    private readonly remember: (secret: string) => void,
  ) {
    this.subscription = storage.onDidChange((event) => {
      if (event.key === API_KEY) this.changed.fire('apiKey');
      else if (event.key === PROVIDER_KEYS) this.changed.fire('providerKeys');
      else if (event.key === LOCAL_TOKENS) this.changed.fire('localTokens');
    });
  }

  async apiKey(): Promise<string | undefined> {
    return this.read(API_KEY);
  }

  async setApiKey(key: string): Promise<void> {
    this.remember(key);
    await this.storage.store(API_KEY, key);
  }

  async removeApiKey(): Promise<void> {
    await this.storage.delete(API_KEY);
  }

  async providerKeys(): Promise<Record<string, string>> {
    const keys = parseKeyMap(await this.read(PROVIDER_KEYS));
    for (const key of Object.values(keys)) this.remember(key);
    return keys;
  }

  async setProviderKey(providerId: string, key: string | undefined): Promise<void> {
    const keys = await this.providerKeys();
    if (key) {
      this.remember(key);
      keys[providerId] = key;
    } else delete keys[providerId];
    await this.storage.store(PROVIDER_KEYS, JSON.stringify(keys));
  }

  async localTokens(): Promise<LocalTokenEntry[]> {
    const tokens = parseTokenList(await this.read(LOCAL_TOKENS));
    for (const entry of tokens) this.remember(entry.token);
    return tokens;
  }

  /** First run: one `default` token, so a tool can connect right away. */
  async ensureDefaultToken(): Promise<void> {
    if ((await this.localTokens()).length > 0) return;
    await this.createLocalToken('default');
  }

  async createLocalToken(name: string): Promise<LocalTokenEntry> {
    const entry: LocalTokenEntry = { name, token: generateLocalToken(), createdAt: new Date().toISOString() };
    this.remember(entry.token);
    await this.storage.store(LOCAL_TOKENS, JSON.stringify([...(await this.localTokens()), entry]));
    return entry;
  }

  async revokeLocalToken(name: string): Promise<void> {
    const remaining = (await this.localTokens()).filter((entry) => entry.name !== name);
    await this.storage.store(LOCAL_TOKENS, JSON.stringify(remaining));
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }

  private async read(key: string): Promise<string | undefined> {
    const value = await this.storage.get(key);
    if (value) this.remember(value);
    return value || undefined;
  }
}
