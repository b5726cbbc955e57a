import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, test } from 'node:test';
import type { Conversation, HostMessage, ModelOption } from '../../extension/chat/protocol.js';
import { CHROMIUM, openChatWebview, type ChatWebview } from './webview-page.js';

/** The bundled chat webview in Chromium under its real CSP: what it renders, what it posts back,
 * the keyboard, the theme colours, and answers that try to run script. */
const THEME = `body { --vscode-foreground: rgb(200, 200, 200); --vscode-button-background: rgb(1, 2, 3); --vscode-errorForeground: rgb(250, 10, 10); }
body.vscode-high-contrast { --vscode-contrastBorder: rgb(111, 195, 223); }`;
const MODELS: ModelOption[] = [
  { id: 'gpt-4o', name: 'GPT-4o', provider: 'modapi', modalities: ['text', 'vision'] },
  { id: 'claude-sonnet-4-5', name: 'Claude Sonnet 4.5', provider: 'modapi', modalities: ['text', 'vision'] },
  { id: 'gpt-image-1', name: 'GPT Image 1', provider: 'modapi', modalities: ['image'] },
  { id: 'tts-1', name: 'TTS 1', provider: 'modapi', modalities: ['audio-speech'] },
];
const EVIL = [
  '<script>window.__pwned = "script"</script>',
  '<img src=x onerror="window.__pwned = \'img\'">',
  '[click](javascript:window.__pwned=\'link\')',
  '<a href="javascript:window.__pwned=\'raw\'">raw link</a>',
  '<div onclick="window.__pwned=\'div\'">raw div</div>',
  '<iframe src="javascript:parent.__pwned=1"></iframe>',
  '<svg onload="window.__pwned=\'svg\'"></svg>',
].join('\n\n');

const conversation = (turns: Conversation['turns']): Conversation => ({ id: 'chat_1', title: 'Test chat', model: 'gpt-4o', createdAt: '2026-11-22T00:00:00.000Z', updatedAt: '2026-11-22T00:00:00.000Z', turns });
const state = (turns: Conversation['turns']): HostMessage => ({ type: 'state', models: MODELS, shortlist: { favourites: [], recent: [] }, selectedModel: 'gpt-4o', conversations: [{ id: 'chat_1', title: 'Test chat', model: 'gpt-4o', updatedAt: '2026-11-22T00:00:00.000Z' }], conversation: conversation(turns) });

let view: ChatWebview;
const available = existsSync(CHROMIUM);
const needsChromium = { skip: !available && 'no Chromium at /usr/bin/chromium' };

before(async () => {
  if (available) view = await openChatWebview(THEME);
});
after(async () => {
  await view?.close();
});

test('the page asks for its state, then renders the conversation and a model chooser without media-only models in compare', needsChromium, async () => {
  await view.page.locator('.composer').waitFor();
  assert.deepEqual((await view.posted())[0], { type: 'ready' });
  await view.deliver(state([]));
  await view.page.locator('.empty').waitFor();
  const groups = await view.page.locator('select.model-select optgroup').evaluateAll((nodes) => nodes.map((node) => node.getAttribute('label')));
  assert.deepEqual(groups, ['Chat', 'Image generation', 'Speech']);
  await view.page.locator('#compare-toggle').check();
  const compared = await view.page.locator('.compare-models select').first().locator('option').evaluateAll((nodes) => nodes.map((node) => (node as HTMLOptionElement).value));
  assert.deepEqual(compared, ['gpt-4o', 'claude-sonnet-4-5']);
  await view.page.locator('#compare-toggle').uncheck();
});

test('favourites and recently used models come first, as in the palette; compare offers only the chat ones', needsChromium, async () => {
  await view.deliver({ type: 'models', models: MODELS, shortlist: { favourites: ['claude-sonnet-4-5', 'not-in-the-catalog'], recent: ['gpt-image-1', 'claude-sonnet-4-5', 'gpt-4o'] }, selectedModel: 'gpt-4o' });
  const groups = () =>
    view.page.locator('select.model-select').first().locator('optgroup').evaluateAll((nodes) =>
      nodes.map((node) => [node.getAttribute('label'), [...node.querySelectorAll('option')].map((option) => (option as HTMLOptionElement).value)]),
    );
  assert.deepEqual(await groups(), [
    ['Favourites', ['claude-sonnet-4-5']],
    ['Recently used', ['gpt-image-1', 'gpt-4o']],
    ['Chat', ['gpt-4o', 'claude-sonnet-4-5']],
    ['Image generation', ['gpt-image-1']],
    ['Speech', ['tts-1']],
  ]);
  assert.equal(await view.page.locator('select.model-select').first().inputValue(), 'gpt-4o');
  await view.page.locator('#compare-toggle').check();
  const compared = await view.page.locator('.compare-models select').first().locator('optgroup').evaluateAll((nodes) => nodes.map((node) => node.getAttribute('label')));
  assert.deepEqual(compared, ['Favourites', 'Recently used', 'Chat']);
  assert.deepEqual(await view.page.locator('.compare-models select').first().locator('optgroup[label="Recently used"] option').evaluateAll((nodes) => nodes.map((node) => (node as HTMLOptionElement).value)), ['gpt-4o']);
  await view.page.locator('#compare-toggle').uncheck();
  await view.deliver({ type: 'models', models: MODELS, shortlist: { favourites: [], recent: [] }, selectedModel: 'gpt-4o' });
});

test('an answer streams in as deltas and is rendered as markdown with highlighted code', needsChromium, async () => {
  await view.deliver(state([{ role: 'user', id: 'turn_1', text: 'hi', attachments: [] }, { role: 'assistant', id: 'answer_1', model: 'gpt-4o', mode: 'chat', status: 'streaming', text: '' }]));
  await view.page.locator('.answer.status-streaming').waitFor();
  for (const text of ['Here is **bold**', ' and code:\n\n```ts\nconst a', ' = 1;\n```\n']) await view.deliver({ type: 'answer-delta', conversationId: 'chat_1', answerId: 'answer_1', text });
  // Rendering runs once per frame: wait for the last delta to be on screen.
  await view.page.locator('.answer .code-block code', { hasText: 'const a = 1;' }).waitFor();
  assert.equal(await view.page.locator('.answer .markdown strong').innerText(), 'bold');
  assert.equal(await view.page.locator('.answer .code-block code').innerText(), 'const a = 1;\n');
  assert.ok((await view.page.locator('.answer .code-block .hljs-keyword').count()) > 0);
  assert.ok(await view.page.locator('button:has-text("Stop")').isVisible());
  assert.match(await view.page.locator('.answer .answer-metrics').innerText(), /^gpt-4o · first token \d+ ms( · ~[\d.]+ tok\/s)?$/, 'live figures while streaming');
});

test('Escape stops a streaming answer; the finished answer shows its figures', needsChromium, async () => {
  await view.page.locator('textarea.prompt').focus();
  await view.page.keyboard.press('Escape');
  assert.deepEqual((await view.posted()).at(-1), { type: 'stop' });
  await view.deliver({ type: 'answer-update', conversationId: 'chat_1', answer: { role: 'assistant', id: 'answer_1', model: 'gpt-4o', mode: 'chat', status: 'stopped', text: 'Here is **bold**', metrics: { model: 'gpt-4o', promptTokens: 14, completionTokens: 30, costUsd: 0.000335, timeToFirstTokenMs: 120, totalMs: 900, tokensPerSecond: 38.1 } } });
  await view.page.locator('.answer.status-stopped').waitFor();
  assert.equal(await view.page.locator('.answer-metrics').innerText(), 'gpt-4o · 14 in / 30 out tokens · $0.00034 · first token 120 ms · total 900 ms · 38.1 tok/s');
  assert.equal(await view.page.locator('button:has-text("Stop")').count(), 0);
});

test('Enter sends, Shift+Enter adds a new line, and attachments travel with the prompt', needsChromium, async () => {
  await view.deliver({ type: 'attachment', attachment: { kind: 'selection', name: 'a.ts:1-2', language: 'typescript', text: 'let x;' } });
  await view.page.locator('.composer .chip').waitFor();
  const prompt = view.page.locator('textarea.prompt');
  await prompt.focus();
  await view.page.keyboard.type('line one');
  await view.page.keyboard.press('Shift+Enter');
  await view.page.keyboard.type('line two');
  await view.page.keyboard.press('Enter');
  assert.deepEqual((await view.posted()).at(-1), { type: 'send', text: 'line one\nline two', attachments: [{ kind: 'selection', name: 'a.ts:1-2', language: 'typescript', text: 'let x;' }], model: 'gpt-4o' });
  assert.equal(await prompt.inputValue(), '');
});

test('an image dropped on the view or pasted into the prompt becomes vision input', needsChromium, async () => {
  const png = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGNgYPgPAAEDAQAIicLsAAAAAElFTkSuQmCC';
  const file = (name: string) => `new File([Uint8Array.from(atob('${png}'), (c) => c.charCodeAt(0))], '${name}', { type: 'image/png' })`;
  // Strings, not functions: tsx would add helper calls the page does not have.
  await view.page.evaluate(`(() => { const transfer = new DataTransfer(); transfer.items.add(${file('dropped.png')}); document.getElementById('app').dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true })); })()`);
  await view.page.locator('.composer .chip', { hasText: 'Image: dropped.png' }).waitFor();
  await view.page.evaluate(`(() => { const transfer = new DataTransfer(); transfer.items.add(${file('pasted.png')}); document.querySelector('textarea.prompt').dispatchEvent(new ClipboardEvent('paste', { clipboardData: transfer, bubbles: true, cancelable: true })); })()`);
  await view.page.locator('.composer .chip', { hasText: 'Image: pasted.png' }).waitFor();
  await view.page.locator('textarea.prompt').fill('what is this?');
  await view.page.locator('textarea.prompt').press('Enter');
  const sent = (await view.posted()).at(-1) as { type: string; attachments: { kind: string; name: string; dataUrl: string }[] };
  assert.equal(sent.type, 'send');
  assert.deepEqual(sent.attachments.map((attachment) => [attachment.kind, attachment.name, attachment.dataUrl]), [['image', 'dropped.png', `data:image/png;base64,${png}`], ['image', 'pasted.png', `data:image/png;base64,${png}`]]);
});

test('code block buttons post Copy, Insert at cursor and Open in new file with the code', needsChromium, async () => {
  await view.deliver(state([{ role: 'assistant', id: 'answer_2', model: 'gpt-4o', mode: 'chat', status: 'done', text: '```python\nprint("hi")\n```' }]));
  await view.page.locator('.code-block').waitFor();
  for (const action of ['copy-code', 'insert-code', 'open-code']) await view.page.locator(`.code-block [data-action="${action}"]`).click();
  const last = (await view.posted()).slice(-3);
  assert.deepEqual(last, [{ type: 'copy', text: 'print("hi")\n' }, { type: 'insert-code', code: 'print("hi")\n' }, { type: 'open-code', code: 'print("hi")\n', language: 'python' }]);
});

test('an answer holding script, event handlers, javascript: links and raw HTML runs nothing', needsChromium, async () => {
  await view.deliver(state([{ role: 'assistant', id: 'answer_evil', model: 'gpt-4o', mode: 'chat', status: 'done', text: EVIL }]));
  await view.page.locator('.answer.status-done .markdown').waitFor();
  await view.page.locator('.answer .markdown').click({ position: { x: 5, y: 5 } });
  await view.page.waitForTimeout(100);
  assert.equal(await view.page.evaluate('window.__pwned'), undefined);
  const markdown = view.page.locator('.answer .markdown');
  assert.equal(await markdown.locator('script, img, iframe, svg, [onerror], [onclick], [onload], a[href^="javascript"]').count(), 0);
  assert.match(await markdown.innerText(), /<script>window.__pwned = "script"<\/script>/);
  assert.deepEqual(view.problems, []);
});

test('an error is shown inline with a Retry that asks for the answer again', needsChromium, async () => {
  await view.deliver(state([{ role: 'assistant', id: 'answer_3', model: 'gpt-4o', mode: 'chat', status: 'error', text: '', error: { message: 'Incorrect API key provided.', code: 'invalid_api_key' } }]));
  await view.page.locator('.answer-error').waitFor();
  assert.equal(await view.page.locator('.answer-error').getAttribute('role'), 'alert');
  await view.page.locator('.answer-error button').click();
  assert.deepEqual((await view.posted()).at(-1), { type: 'regenerate', answerId: 'answer_3' });
});

test('compare columns show their figures, mark the best, and choosing one posts it', needsChromium, async () => {
  const metrics = (model: string, ttft: number, speed: number, cost: number) => ({ model, promptTokens: 10, completionTokens: 20, costUsd: cost, timeToFirstTokenMs: ttft, totalMs: 1000, tokensPerSecond: speed });
  await view.deliver(state([
    { role: 'user', id: 'turn_1', text: 'which?', attachments: [] },
    { role: 'compare', id: 'turn_2', answers: [
      { role: 'assistant', id: 'a', model: 'gpt-4o', mode: 'chat', status: 'done', text: 'A', metrics: metrics('gpt-4o', 300, 50, 0.002) },
      { role: 'assistant', id: 'b', model: 'claude-sonnet-4-5', mode: 'chat', status: 'done', text: 'B', metrics: metrics('claude-sonnet-4-5', 100, 40, 0.001) },
    ] },
  ]));
  await view.page.locator('.turn.compare').waitFor();
  assert.equal(await view.page.locator('.turn.compare .answer').count(), 2);
  assert.match(await view.page.locator('.turn.compare .answer').nth(0).locator('header').innerText(), /fastest output/);
  assert.match(await view.page.locator('.turn.compare .answer').nth(1).locator('header').innerText(), /fastest first token, cheapest/);
  await view.page.locator('.turn.compare .answer').nth(1).locator('button:has-text("Use this answer")').click();
  assert.deepEqual((await view.posted()).at(-1), { type: 'choose-answer', turnId: 'turn_2', answerId: 'b' });
});

test('generated images, speech and video progress are shown from data, with save buttons', needsChromium, async () => {
  const png = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGNgYPgPAAEDAQAIicLsAAAAAElFTkSuQmCC';
  await view.deliver(state([
    { role: 'assistant', id: 'img', model: 'gpt-image-1', mode: 'image', status: 'done', text: '', media: [{ kind: 'image', mimeType: 'image/png', file: 'media_1.png', data: png }] },
    { role: 'assistant', id: 'tts', model: 'tts-1', mode: 'speech', status: 'done', text: '', media: [{ kind: 'audio', mimeType: 'audio/mpeg', file: 'media_2.mp3', data: '//uQAA==' }] },
    { role: 'assistant', id: 'vid', model: 'sora-2', mode: 'video', status: 'streaming', text: '', progress: 40 },
  ]));
  await view.page.locator('img.generated-image').waitFor();
  assert.equal(await view.page.locator('img.generated-image').evaluate((image) => (image as HTMLImageElement).naturalWidth), 1);
  assert.match((await view.page.locator('audio').getAttribute('src')) ?? '', /^blob:/);
  assert.equal(await view.page.locator('progress').getAttribute('value'), '40');
  await view.page.locator('figure.media-image button').click();
  assert.deepEqual((await view.posted()).at(-1), { type: 'save-media', answerId: 'img', index: 0 });
  assert.deepEqual(view.problems, []);
});

test('every control can be reached with the keyboard and has an accessible name', needsChromium, async () => {
  const unnamed = await view.page.evaluate(() =>
    [...document.querySelectorAll('button, select, textarea, input')].filter((element) => !element.getAttribute('aria-label') && !(element as HTMLElement).innerText?.trim() && !element.closest('label')).length,
  );
  assert.equal(unnamed, 0);
  const reached = new Set<string>();
  await view.page.locator('body').focus();
  for (let index = 0; index < 30; index += 1) {
    await view.page.keyboard.press('Tab');
    reached.add(await view.page.evaluate(() => document.activeElement?.getAttribute('aria-label') ?? document.activeElement?.tagName ?? ''));
  }
  for (const label of ['Message', 'Model', 'Attach context', 'Start a new conversation']) assert.ok(reached.has(label), `${label} not reached: ${[...reached].join(', ')}`);
});

test('colours come from the theme variables', needsChromium, async () => {
  const colour = await view.page.locator('button.send').evaluate((element) => getComputedStyle(element).backgroundColor);
  assert.equal(colour, 'rgb(1, 2, 3)');
  assert.equal(await view.page.locator('body').evaluate((element) => getComputedStyle(element).color), 'rgb(200, 200, 200)');
});
