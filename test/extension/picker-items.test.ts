import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildPickerRows, formatContext, formatPrice, pushRecent, toggleFavourite, type PickerModel, type PickerRow } from '../../extension/model-picker/picker-items.js';

const models: PickerModel[] = [
  { id: 'gpt-4o', provider: 'modapi', name: 'GPT-4o', contextWindow: 128_000, modalities: ['text', 'vision'], price: { input: 2.5, output: 10 } },
  { id: 'gpt-4o-mini', provider: 'modapi', name: 'GPT-4o mini', contextWindow: 128_000, modalities: ['text', 'vision'], price: { input: 0.15, output: 0.6 } },
  { id: 'anthropic/claude-sonnet-4-5', provider: 'anthropic', name: 'Claude Sonnet 4.5', contextWindow: 200_000, modalities: ['text', 'vision'] },
  { id: 'dall-e-3', provider: 'modapi', name: 'DALL·E 3', modalities: ['image'], price: { perImage: 0.04 } },
  { id: 'text-embedding-3-small', provider: 'modapi', name: 'Text Embedding 3 small', contextWindow: 8_191, modalities: ['embedding'], price: { input: 0.02 } },
  { id: 'tts-1', provider: 'modapi', modalities: ['audio-speech'], price: { perMillionCharacters: 15 } },
];

const labels = (rows: PickerRow[]): string[] => rows.map((row) => (row.kind === 'separator' ? `-- ${row.label}` : row.id));

test('models are grouped by modality, then provider, each group under a separator', () => {
  const rows = buildPickerRows(models, { recent: [], favourites: [] });
  assert.deepEqual(labels(rows), [
    '-- Text · anthropic',
    'anthropic/claude-sonnet-4-5',
    '-- Text · modapi',
    'gpt-4o',
    'gpt-4o-mini',
    '-- Image · modapi',
    'dall-e-3',
    '-- Speech · modapi',
    'tts-1',
    '-- Embeddings · modapi',
    'text-embedding-3-small',
  ]);
});

test('favourites come first, then recently used, and no model appears twice', () => {
  const rows = buildPickerRows(models, { recent: ['dall-e-3', 'gpt-4o', 'no-longer-listed'], favourites: ['gpt-4o'] });
  assert.deepEqual(labels(rows).slice(0, 5), ['-- Favourites', 'gpt-4o', '-- Recently used', 'dall-e-3', '-- Text · anthropic']);
  const ids = rows.flatMap((row) => (row.kind === 'model' ? [row.id] : []));
  assert.equal(new Set(ids).size, ids.length);
  assert.equal(ids.length, models.length);
});

test('each item shows name and provider (searchable description) and context and price (detail)', () => {
  const rows = buildPickerRows(models, { current: 'gpt-4o-mini', recent: [], favourites: ['gpt-4o-mini'] });
  const mini = rows.find((row) => row.kind === 'model' && row.id === 'gpt-4o-mini');
  assert.deepEqual(mini, { kind: 'model', id: 'gpt-4o-mini', label: 'gpt-4o-mini', description: 'GPT-4o mini · modapi', detail: '128K context · $0.15 in / $0.60 out per 1M tokens', favourite: true, current: true });
  const claude = rows.find((row) => row.kind === 'model' && row.id === 'anthropic/claude-sonnet-4-5');
  assert.equal(claude?.kind === 'model' && claude.detail, '200K context · price unknown');
});

test('context windows and prices read the way people say them', () => {
  assert.equal(formatContext(128_000), '128K');
  assert.equal(formatContext(1_048_576), '1.05M');
  assert.equal(formatContext(undefined), undefined);
  assert.equal(formatPrice({ perImage: 0.04 }), '$0.04 per image');
  assert.equal(formatPrice({ input: 0.02 }), '$0.02 per 1M input tokens');
  assert.equal(formatPrice({ input: 0.075, output: 0.3 }), '$0.075 in / $0.30 out per 1M tokens');
  assert.equal(formatPrice({ input: 0.005, output: 0.0025 }), '$0.005 in / $0.0025 out per 1M tokens');
  assert.equal(formatPrice({ perSecond: 0.1 }), '$0.10 per second');
  assert.equal(formatPrice({ input: 2.5, output: 10 }), '$2.50 in / $10.00 out per 1M tokens');
  assert.equal(formatPrice(undefined), undefined);
});

test('recent list: the chosen model moves to the front, the list stays short', () => {
  assert.deepEqual(pushRecent(['a', 'b', 'c'], 'c'), ['c', 'a', 'b']);
  assert.deepEqual(pushRecent(['a', 'b'], 'd', 2), ['d', 'a']);
  assert.deepEqual(toggleFavourite(['a'], 'b'), ['a', 'b']);
  assert.deepEqual(toggleFavourite(['a', 'b'], 'a'), ['b']);
});
