import { GatewayError } from '../../errors.js';
import type { ProviderConfig } from '../../providers/types.js';
import type { CatalogModel } from '../types.js';
import { sendToAnthropic } from './send.js';

interface AnthropicModelPage {
  data?: {
    id: string;
    display_name?: string;
    max_input_tokens?: number | null;
    max_tokens?: number | null;
    lifecycle?: string;
    capabilities?: { image_input?: { supported?: boolean } } | null;
  }[];
  has_more?: boolean;
  last_id?: string | null;
}

/** Enough pages for any real list; a host that always says has_more cannot loop forever. */
const MAX_PAGES = 20;

/** GET /v1/models, Anthropic's paginated list (`data`, `has_more`, `last_id`), as catalog models. */
export const listAnthropicModels = async (provider: ProviderConfig, signal: AbortSignal): Promise<CatalogModel[]> => {
  const models: CatalogModel[] = [];
  let afterId: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const query = `?limit=1000${afterId ? `&after_id=${encodeURIComponent(afterId)}` : ''}`;
    const response = await sendToAnthropic(provider, { method: 'GET', path: `/v1/models${query}`, signal });
    let body: AnthropicModelPage;
    try {
      body = (await response.body.json()) as AnthropicModelPage;
    } catch {
      throw GatewayError.badUpstreamBody(provider.id, 'a model list that is not JSON');
    }
    for (const model of body.data ?? []) {
      // A model marked retired can no longer be called: not offered.
      if (typeof model?.id !== 'string' || model.lifecycle === 'retired') continue;
      const imageInput = model.capabilities?.image_input?.supported;
      models.push({
        id: model.id,
        provider: provider.id,
        upstreamId: model.id,
        ownedBy: 'anthropic',
        ...(model.display_name ? { name: model.display_name } : {}),
        ...(typeof model.max_input_tokens === 'number' ? { contextWindow: model.max_input_tokens } : {}),
        ...(typeof model.max_tokens === 'number' ? { maxOutputTokens: model.max_tokens } : {}),
        ...(typeof imageInput === 'boolean' ? { modalities: imageInput ? ['text', 'vision'] : ['text'] } : {}),
      });
    }
    if (!body.has_more || !body.last_id) break;
    afterId = body.last_id;
  }
  return models;
};
