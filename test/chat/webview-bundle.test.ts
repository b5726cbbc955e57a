import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { chatViewHtml } from '../../extension/chat/webview-html.js';
import type { HostMessage } from '../../extension/chat/protocol.js';
import { renderMarkdown } from '../../media/chat/render-markdown.js';
import { CHROMIUM, openWebview, type WebviewHarness } from '../support/webview-page.js';

/** What esbuild.js changes in the chat view's bundle: highlight.js arrives as a second script
 * (code shown before it is highlighted in place once it loads) and the browser decodes entities
 * (the same text as the `entities` package gives markdown-it in Node). */
const ENTITIES = 'Signs: &copy; &amp; &lt;tag&gt; &notit; &notin; &nosuchentity; &#x1F600; &#65; &AMP &semi;';
const CODE = '```ts\nconst answer: number = 42;\n```';

let view: WebviewHarness;
let releaseHighlight: () => void = () => undefined;
const available = existsSync(CHROMIUM);
const needsChromium = { skip: !available && 'no Chromium at /usr/bin/chromium' };

before(async () => {
  if (!available) return;
  const held = new Promise<void>((resolve) => (releaseHighlight = resolve));
  view = await openWebview({
    name: 'chat',
    html: chatViewHtml,
    viewport: { width: 420, height: 800 },
    bodyClass: 'vscode-dark',
    themeCss: '',
    prepare: (page) => page.route('**/chat-highlight.js', async (route) => {
      await held;
      await route.continue();
    }),
  });
});
after(async () => {
  releaseHighlight();
  await view?.close();
});

const answerState = (text: string): HostMessage => ({
  type: 'state',
  models: [{ id: 'gpt-4o', name: 'GPT-4o', provider: 'modapi', modalities: ['text'] }],
  shortlist: { favourites: [], recent: [] },
  selectedModel: 'gpt-4o',
  conversations: [],
  conversation: { id: 'chat_1', title: 'Bundle', model: 'gpt-4o', createdAt: '2026-12-05T00:00:00.000Z', updatedAt: '2026-12-05T00:00:00.000Z', turns: [{ role: 'assistant', id: 'answer_1', model: 'gpt-4o', mode: 'chat', status: 'done', text }] },
});

test('entities decode in the view exactly as markdown-it decodes them with the entities package', needsChromium, async () => {
  await view.page.locator('.composer').waitFor();
  await view.deliver(answerState(ENTITIES));
  const shown = await view.page.locator('.answer .markdown p').innerText();
  const expected = renderMarkdown(ENTITIES).replace(/<\/?p>\n?/g, '').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&').replace(/&quot;/g, '"');
  assert.equal(shown, expected);
  assert.equal(shown, 'Signs: © & <tag> &notit; ∉ &nosuchentity; 😀 A &AMP ;', 'a legacy prefix does not count under the strict rule');
});

test('code shown before highlight.js arrives is plain, then highlighted in place; the page reports no CSP problem', needsChromium, async () => {
  await view.deliver(answerState(CODE));
  const code = view.page.locator('.answer .code-block code');
  await code.waitFor();
  assert.equal(await code.innerText(), 'const answer: number = 42;\n');
  assert.equal(await view.page.locator('.answer .code-block .hljs-keyword').count(), 0, 'nothing highlights before the script arrives');
  releaseHighlight();
  await view.page.locator('.answer .code-block .hljs-keyword').first().waitFor({ timeout: 10_000 });
  assert.equal(await code.innerText(), 'const answer: number = 42;\n');
  // A new answer after that is highlighted as it renders.
  await view.deliver(answerState('```python\ndef f():\n    return 1\n```'));
  await view.page.locator('.answer .code-block .hljs-keyword', { hasText: 'def' }).waitFor({ timeout: 10_000 });
  assert.deepEqual(view.problems, []);
});
