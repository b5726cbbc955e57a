import type { Dialect } from '../providers/types.js';
import { anthropicAdapter } from './anthropic/adapter.js';
import { geminiAdapter } from './gemini/adapter.js';
import { openAICompatibleAdapter } from './openai-compatible/adapter.js';
import type { ProviderAdapter } from './types.js';

const adapters = new Map<Dialect, ProviderAdapter>([['openai', openAICompatibleAdapter]]);

/** Native adapters register themselves here (one per dialect). */
export const registerAdapter = (adapter: ProviderAdapter): void => {
  adapters.set(adapter.dialect, adapter);
};

registerAdapter(anthropicAdapter);
registerAdapter(geminiAdapter);

export const adapterFor = (dialect: Dialect): ProviderAdapter => {
  const adapter = adapters.get(dialect);
  if (!adapter) throw new Error(`no adapter for dialect ${dialect}`);
  return adapter;
};
