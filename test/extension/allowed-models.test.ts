import assert from 'node:assert/strict';
import { test } from 'node:test';
import { allowanceFrom, globToRegExp } from '../../extension/allowed-models.js';
import { modalityPrefix, nextModality, qualityText } from '../../extension/model-picker/model-filters.js';
import { buildPickerRows, type PickerModel } from '../../extension/model-picker/picker-items.js';
import { emptyQuality } from '../../proxy/usage/model-quality.js';

const MODELS = ['gpt-4o', 'gpt-4o-mini', 'anthropic/claude-sonnet-4-5', 'claude-sonnet-4-5', 'gemini/gemini-2.5-flash'];
const allowed = (scopes: Parameters<typeof allowanceFrom>[0]) => {
  const allowance = allowanceFrom(scopes);
  return MODELS.filter((model) => allowance.allows(model));
};

test('globs: * spans any characters (slashes too), ? one, case-insensitive, nothing else special', () => {
  assert.ok(globToRegExp('anthropic/*').test('anthropic/claude-sonnet-4-5'));
  assert.ok(globToRegExp('gpt-4?').test('GPT-4o'));
  assert.ok(!globToRegExp('gpt-4?').test('gpt-4o-mini'));
  assert.ok(!globToRegExp('gpt-4.1').test('gpt-401'), 'a dot is a dot');
});

test('no value, an empty list or a wrong type sets no limit', () => {
  assert.deepEqual(allowed({}), MODELS);
  assert.deepEqual(allowed({ user: [], workspace: { where: 'w', value: 'gpt-4o' } }), MODELS);
  assert.equal(allowanceFrom({ user: [] }).limited, false);
});

test('the workspace narrows alone; with the user value too, a model must match both; it never widens', () => {
  assert.deepEqual(allowed({ workspace: { where: 'the folder "repo"', value: ['gpt-4o*'] } }), ['gpt-4o', 'gpt-4o-mini']);
  assert.deepEqual(allowed({ user: ['gpt-4o'], workspace: { where: 'w', value: ['gpt-4o*'] } }), ['gpt-4o']);
  assert.deepEqual(allowed({ user: ['*claude*'], workspace: { where: 'w', value: ['gpt-*', 'anthropic/*'] } }), ['anthropic/claude-sonnet-4-5']);
  // Each folder of a multi-root workspace is one more limit.
  assert.deepEqual(allowed({ workspace: { where: 'w', value: ['*'] }, folders: [{ where: 'a', value: ['gpt-*'] }, { where: 'b', value: ['*-mini'] }] }), ['gpt-4o-mini']);
});

test('a refusal names the setting and the scope that refused', () => {
  const allowance = allowanceFrom({ user: ['*'], workspace: { where: 'the folder "repo" (.vscode/settings.json)', value: ['claude-*'] } });
  assert.equal(allowance.refusal('claude-sonnet-4-5'), undefined);
  assert.equal(allowance.refusal('gpt-4o'), 'The model gpt-4o is not allowed here: "modapi.workspace.allowedModels" in the folder "repo" (.vscode/settings.json) allows only claude-*.');
  assert.match(allowanceFrom({ user: ['gpt-*'] }).refusal('claude-x')!, /in your user settings allows only gpt-\*/);
});

test('the chooser: typed modality prefixes, the filter button\'s cycle, quality figures beside the price', () => {
  assert.deepEqual(modalityPrefix('image: flux'), { modality: 'image', rest: 'flux' });
  assert.deepEqual(modalityPrefix('Vision:'), { modality: 'vision', rest: '' });
  assert.deepEqual(modalityPrefix('all:gpt'), { modality: 'all', rest: 'gpt' });
  assert.equal(modalityPrefix('gpt-4o'), undefined);
  assert.equal(nextModality(undefined), 'text');
  assert.equal(nextModality('embedding'), undefined);
  assert.equal(qualityText(undefined), undefined);
  assert.equal(qualityText({ ...emptyQuality(), thumbsUp: 4, thumbsDown: 1, thumbsUpShare: 0.8, wins: 3, losses: 2, comparisons: 5, winRate: 0.6 }), 'thumbs up 80% of 5 · wins 60% of 5');
  assert.equal(qualityText({ ...emptyQuality(), wins: 1, comparisons: 1 }), '1 comparison (too few for a win rate)');
});

test('600 models: every one listed once, grouped, with context, price and figures, quickly', () => {
  const models: PickerModel[] = Array.from({ length: 600 }, (_, index) => ({ id: `vendor-${index % 15}/model-${index}`, provider: `vendor-${index % 15}`, name: `Model ${index}`, contextWindow: 32_000 * (1 + (index % 4)), modalities: index % 7 === 0 ? ['image'] : ['text'], price: { input: 1, output: 2 } }));
  const figures = new Map([['vendor-3/model-333', 'wins 60% of 10']]);
  const started = performance.now();
  const rows = buildPickerRows(models, { recent: ['vendor-1/model-1'], favourites: ['vendor-2/model-2'], figures });
  const elapsed = performance.now() - started;
  assert.ok(elapsed < 200, `${elapsed} ms`);
  const modelRows = rows.filter((row) => row.kind === 'model');
  assert.equal(modelRows.length, 600);
  assert.equal(new Set(modelRows.map((row) => row.id)).size, 600);
  const row = modelRows.find((entry) => entry.id === 'vendor-3/model-333')!;
  assert.equal(row.detail, '64K context · $1.00 in / $2.00 out per 1M tokens · wins 60% of 10');
  assert.equal(row.description, 'Model 333 · vendor-3');
});
