import type { GatewayContext } from '../../proxy/server/gateway-context.js';

export type KeyCheck = { kind: 'accepted'; models: number } | { kind: 'rejected'; status: number; message: string } | { kind: 'unreachable'; message: string };

/** Asks the provider for its model list with the stored key: the cheapest call that proves the key. */
export const checkProviderKey = async (gateway: GatewayContext, providerId: string): Promise<KeyCheck> => {
  const provider = gateway.registry.get(providerId);
  if (!provider) return { kind: 'unreachable', message: `unknown provider ${providerId}` };
  const { adapterFor } = await import('../../proxy/adapters/index.js');
  try {
    const models = await adapterFor(provider.dialect).listModels(provider, AbortSignal.timeout(15_000));
    return { kind: 'accepted', models: models.length };
  } catch (error) {
    const status = (error as { status?: unknown }).status;
    const message = gateway.redactor.redact((error as Error).message);
    if (status === 401 || status === 403) return { kind: 'rejected', status, message };
    return { kind: 'unreachable', message };
  }
};
