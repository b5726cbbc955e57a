import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseFragment, type DefaultTreeAdapterMap } from 'parse5';
import { isSafeLink, renderMarkdown } from '../../media/chat/render-markdown.js';

type Node = DefaultTreeAdapterMap['node'];
type Element = DefaultTreeAdapterMap['element'];

/** Every element of the rendered HTML as a browser's parser builds it. */
const elementsOf = (html: string): Element[] => {
  const found: Element[] = [];
  const walk = (node: Node): void => {
    if ('tagName' in node) found.push(node);
    if ('childNodes' in node) for (const child of node.childNodes) walk(child);
    if ('content' in node && node.content) walk(node.content as Node);
  };
  walk(parseFragment(html) as unknown as Node);
  return found;
};

const FORBIDDEN_TAGS = new Set(['script', 'iframe', 'object', 'embed', 'img', 'svg', 'math', 'style', 'link', 'meta', 'form', 'base', 'video', 'audio', 'source']);

/** What a webview must never receive from a model's answer. */
const assertInert = (html: string): void => {
  for (const element of elementsOf(html)) {
    assert.ok(!FORBIDDEN_TAGS.has(element.tagName), `a <${element.tagName}> element survived: ${html}`);
    for (const attribute of element.attrs) {
      assert.ok(!/^on/i.test(attribute.name), `an inline handler ${attribute.name} survived: ${html}`);
      assert.notEqual(attribute.name, 'style', `a style attribute survived: ${html}`);
      if (attribute.name === 'href' || attribute.name === 'src' || attribute.name === 'action') {
        assert.ok(/^(https?:|mailto:)/i.test(attribute.value), `an unsafe ${attribute.name} survived: ${attribute.value}`);
      }
    }
  }
};

const MALICIOUS_ANSWERS = [
  '<script>alert(1)</script>',
  'Hello <img src=x onerror="alert(1)"> world',
  '[click me](javascript:alert(1))',
  '[click me](JaVaScRiPt:alert(1))',
  '[encoded](&#106;avascript:alert(1))',
  '[data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)',
  '[vbscript](vbscript:msgbox(1))',
  '<a href="javascript:alert(1)">raw link</a>',
  '<iframe src="https://example.invalid"></iframe>',
  '<div onclick="alert(1)">raw div</div>',
  '<svg><script>alert(1)</script></svg>',
  '<style>body{display:none}</style>',
  '![pixel](https://tracker.example/pixel.png)',
  '![x](javascript:alert(1))',
  '<javascript:alert(1)>',
  '```html\n<script>alert(1)</script>\n```',
  '```"><img src=x onerror=alert(1)>\ncode\n```',
  '```js onload=alert(1)\nlet a = 1;\n```',
  '    <script>indented code</script>',
  '`<img src=x onerror=alert(1)>`',
  '<!-- comment --><b onmouseover=alert(1)>bold</b>',
  '[link](https://ok.example "title\\" onmouseover=\\"alert(1)")',
  'javascript:alert(1) as bare text',
];

for (const answer of MALICIOUS_ANSWERS) {
  test(`a model answer cannot run script: ${JSON.stringify(answer).slice(0, 70)}`, () => {
    assertInert(renderMarkdown(answer));
  });
}

test('raw HTML in an answer is shown as text, not parsed', () => {
  const html = renderMarkdown('<b>bold</b> and <script>alert(1)</script>');
  assert.match(html, /&lt;b&gt;bold&lt;\/b&gt;/);
  assert.match(html, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
  assert.equal(elementsOf(html).filter((element) => element.tagName === 'b').length, 0);
});

test('a javascript: link is left as text without an anchor', () => {
  const html = renderMarkdown('[click me](javascript:alert(1))');
  assert.equal(elementsOf(html).filter((element) => element.tagName === 'a').length, 0);
});

test('http(s) and mailto links stay links, with rel noopener', () => {
  const anchors = elementsOf(renderMarkdown('[docs](https://example.com/a) <mailto:someone@example.com> and www.example.org')).filter((element) => element.tagName === 'a');
  const hrefs = anchors.map((anchor) => anchor.attrs.find((attribute) => attribute.name === 'href')?.value);
  assert.deepEqual(hrefs, ['https://example.com/a', 'mailto:someone@example.com', 'http://www.example.org']);
  for (const anchor of anchors) assert.equal(anchor.attrs.find((attribute) => attribute.name === 'rel')?.value, 'noopener noreferrer');
});

test('isSafeLink allows only http, https and mailto', () => {
  assert.ok(isSafeLink('https://a.example'));
  assert.ok(isSafeLink('mailto:a@b.example'));
  assert.ok(!isSafeLink('javascript:alert(1)'));
  assert.ok(!isSafeLink('data:text/html,x'));
  assert.ok(!isSafeLink('file:///etc/passwd'));
  assert.ok(!isSafeLink('command:workbench.action.terminal.new'));
});

test('code blocks are highlighted, escaped and carry the Copy / Insert / New file buttons', () => {
  const html = renderMarkdown('```ts\nconst a: string = "<b>";\n```');
  const elements = elementsOf(html);
  const actions = elements.filter((element) => element.tagName === 'button').map((button) => button.attrs.find((attribute) => attribute.name === 'data-action')?.value);
  assert.deepEqual(actions, ['copy-code', 'insert-code', 'open-code']);
  for (const button of elements.filter((element) => element.tagName === 'button')) assert.ok(button.attrs.some((attribute) => attribute.name === 'aria-label'));
  assert.match(html, /class="hljs-keyword"/);
  assert.match(html, /&quot;&lt;b&gt;&quot;|&lt;b&gt;/);
  assertInert(html);
});

test('an unknown fence language is shown as plain escaped code', () => {
  const html = renderMarkdown('```nosuchlanguage\n<b>x</b>\n```');
  assert.match(html, /&lt;b&gt;x&lt;\/b&gt;/);
  assertInert(html);
});
