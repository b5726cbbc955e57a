import assert from 'node:assert/strict';
import { test } from 'node:test';
import { toModelOptions } from '../../extension/chat/model-options.js';
import type { CatalogEntry } from '../../proxy/catalog/catalog.js';

const entry = (id: string, modalities: CatalogEntry['modalities'], price?: CatalogEntry['price']): CatalogEntry => ({ id, provider: 'modapi', upstreamId: id, name: id.toUpperCase(), modalities, price });

test('the chooser lists every model the view can use, from the catalog, with the palette price text', () => {
  const options = toModelOptions([
    entry('gpt-4o', ['text', 'vision'], { input: 2.5, output: 10 }),
    entry('text-embedding-3-small', ['embedding'], { input: 0.02 }),
    entry('dall-e-3', ['image'], { perImage: 0.04 }),
    entry('whisper-1', ['audio-transcription']),
  ]);
  assert.deepEqual(options.map((option) => option.id), ['gpt-4o', 'dall-e-3', 'whisper-1']);
  assert.equal(options[0]!.name, 'GPT-4O');
  assert.match(options[0]!.price ?? '', /\$2\.50 in \/ \$10\.00 out per 1M tokens/);
  assert.match(options[1]!.price ?? '', /\$0\.04 per image/);
  assert.equal(options[2]!.price, undefined);
});
