import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, test } from 'node:test';
import type { AssistantTurn, Conversation, HostMessage, ModelOption } from '../../extension/chat/protocol.js';
import { CHROMIUM, openChatWebview, type ChatWebview } from './webview-page.js';

/** Ratings in the chat webview under its real CSP: thumbs (keyboard, theme colours, change and take
 * back), Compare's "Use this answer", Regenerate, the searchable chooser, and a 600-model catalog. */
const THEME = `body { --vscode-foreground: rgb(200, 200, 200); --vscode-button-background: rgb(1, 2, 3); --vscode-button-foreground: rgb(240, 240, 240); --vscode-button-secondaryBackground: rgb(60, 60, 60); }`;
const MODELS: ModelOption[] = [
  { id: 'gpt-4o', name: 'GPT-4o', provider: 'modapi', modalities: ['text', 'vision'] },
  { id: 'claude-sonnet-4-5', name: 'Claude Sonnet 4.5', provider: 'modapi', modalities: ['text', 'vision'] },
];
const metrics = (model: string, requestId: string): AssistantTurn['metrics'] => ({ model, requestId, provider: 'modapi', servedModel: model, promptTokens: 5, completionTokens: 7, costUsd: 0.001, timeToFirstTokenMs: 100, totalMs: 400, tokensPerSecond: 23.3 });
const answer = (id: string, model: string, extra: Partial<AssistantTurn> = {}): AssistantTurn => ({ role: 'assistant', id, model, mode: 'chat', status: 'done', text: `answer ${id}`, metrics: metrics(model, `req_${id}`), ...extra });
const conversation = (turns: Conversation['turns']): Conversation => ({ id: 'chat_1', title: 'Rated', model: 'gpt-4o', createdAt: '2026-11-22T00:00:00.000Z', updatedAt: '2026-11-22T00:00:00.000Z', turns });
const state = (turns: Conversation['turns'], models = MODELS): HostMessage => ({ type: 'state', models, shortlist: { favourites: [], recent: [] }, selectedModel: 'gpt-4o', conversations: [], conversation: conversation(turns) });

let view: ChatWebview;
const available = existsSync(CHROMIUM);
const needsChromium = { skip: !available && 'no Chromium at /usr/bin/chromium' };

before(async () => {
  if (available) view = await openChatWebview(THEME);
});
after(async () => {
  await view?.close();
});

const lastPosted = async () => (await view.posted()).at(-1);
const thumb = (rating: 'up' | 'down') => view.page.locator(`article.answer button.rate[data-rating="${rating}"]`).first();

test('a finished answer has thumbs up and down, reached by keyboard, posting the rating; pressed again takes it back', needsChromium, async () => {
  await view.page.locator('.composer').waitFor();
  await view.deliver(state([{ role: 'user', id: 'turn_1', text: 'hi', attachments: [] }, answer('a1', 'gpt-4o'), answer('a2', 'gpt-4o', { status: 'error', metrics: undefined, error: { message: 'failed', code: null } })]));
  await thumb('up').waitFor();
  assert.equal(await view.page.locator('#answer-a2 button.rate').count(), 0, 'an answer without a usage record cannot be rated');
  assert.equal(await thumb('up').getAttribute('aria-pressed'), 'false');
  // Keyboard: focus moves from the Edit button of the prompt through to the thumbs.
  await view.page.locator('.turn.user button').first().focus();
  let reached = false;
  for (let step = 0; step < 6 && !reached; step += 1) {
    await view.page.keyboard.press('Tab');
    reached = await thumb('up').evaluate((element) => element === document.activeElement);
  }
  assert.ok(reached, 'thumbs up is reached with Tab');
  await view.page.keyboard.press('Enter');
  assert.deepEqual(await lastPosted(), { type: 'rate', answerId: 'a1', rating: 'up' });
  await view.deliver({ type: 'answer-update', conversationId: 'chat_1', answer: answer('a1', 'gpt-4o', { rating: 'up' }) });
  await view.page.locator('article.answer button.rate[data-rating="up"][aria-pressed="true"]').waitFor();
  const colours = await thumb('up').evaluate((element) => [getComputedStyle(element).backgroundColor, getComputedStyle(element).color]);
  assert.deepEqual(colours, ['rgb(1, 2, 3)', 'rgb(240, 240, 240)'], 'the pressed thumb takes the theme\'s button colours');
  assert.equal(await thumb('down').evaluate((element) => getComputedStyle(element).backgroundColor), 'rgb(60, 60, 60)');
  // Changed to down, then taken back.
  await thumb('down').click();
  assert.deepEqual(await lastPosted(), { type: 'rate', answerId: 'a1', rating: 'down' });
  await view.deliver({ type: 'answer-update', conversationId: 'chat_1', answer: answer('a1', 'gpt-4o', { rating: 'down' }) });
  await view.page.locator('article.answer button.rate[data-rating="down"][aria-pressed="true"]').waitFor();
  await thumb('down').click();
  assert.deepEqual(await lastPosted(), { type: 'rate', answerId: 'a1', rating: null });
});

test('Compare: "Use this answer" and Regenerate post their messages', needsChromium, async () => {
  await view.deliver(state([{ role: 'user', id: 'turn_1', text: 'which?', attachments: [] }, { role: 'compare', id: 'turn_2', answers: [answer('c1', 'gpt-4o'), answer('c2', 'claude-sonnet-4-5')] }]));
  await view.page.locator('.turn.compare article.answer').nth(1).getByRole('button', { name: 'Continue the conversation with claude-sonnet-4-5' }).click();
  assert.deepEqual(await lastPosted(), { type: 'choose-answer', turnId: 'turn_2', answerId: 'c2' });
  await view.page.locator('.turn.compare article.answer').nth(0).getByRole('button', { name: 'Regenerate the answer from gpt-4o' }).click();
  assert.deepEqual(await lastPosted(), { type: 'regenerate', answerId: 'c1' });
  assert.equal(await view.page.locator('.turn.compare button.rate').count(), 4, 'each compared answer has its thumbs too');
});

test('the search button opens the chooser for the model or a compare slot, and its choice is shown', needsChromium, async () => {
  await view.page.getByRole('button', { name: 'Search every model by name, provider or modality' }).click();
  assert.deepEqual(await lastPosted(), { type: 'open-chooser', target: { kind: 'model' } });
  await view.deliver({ type: 'chosen-model', target: { kind: 'model' }, model: 'claude-sonnet-4-5' });
  await view.page.waitForFunction(() => (document.querySelector('select.model-select') as HTMLSelectElement).value === 'claude-sonnet-4-5');
  await view.page.locator('#compare-toggle').check();
  await view.page.getByRole('button', { name: 'Search every chat model for compared model 2' }).click();
  assert.deepEqual(await lastPosted(), { type: 'open-chooser', target: { kind: 'compare', slot: 1 } });
  await view.deliver({ type: 'chosen-model', target: { kind: 'compare', slot: 1 }, model: 'gpt-4o' });
  await view.page.waitForFunction(() => (document.querySelectorAll('.compare-models select')[1] as HTMLSelectElement).value === 'gpt-4o');
  await view.page.locator('#compare-toggle').uncheck();
});

test('a catalog of 600 models renders in the chooser at once and the view stays responsive', needsChromium, async () => {
  const many: ModelOption[] = Array.from({ length: 600 }, (_, index) => ({ id: `vendor-${index % 12}/model-${index}`, name: `Model ${index}`, provider: `vendor-${index % 12}`, modalities: index % 5 === 0 ? ['image'] : ['text'], contextWindow: 128_000, price: '$1.00 in / $2.00 out per 1M tokens' }));
  const started = Date.now();
  await view.deliver(state([answer('a1', 'gpt-4o')], many));
  await view.page.waitForFunction(() => document.querySelectorAll('select.model-select option').length >= 600);
  const elapsed = Date.now() - started;
  assert.ok(elapsed < 3_000, `rendered in ${elapsed} ms`);
  // Still answering input: typing in the prompt right after.
  await view.page.locator('textarea.prompt').fill('still here');
  assert.equal(await view.page.locator('textarea.prompt').inputValue(), 'still here');
});
