/** Model answers as HTML that can never run script: markdown-it with raw HTML off (tags come out
 * escaped), links only to http(s) and mailto, no remote images, and highlight.js output (escaped
 * text in class-only spans) for code. Code blocks get their toolbar as plain buttons whose clicks
 * the view handles by delegation: no inline handler anywhere. Pure, so it is tested in Node. */
import hljs from 'highlight.js/lib/common';
import MarkdownIt from 'markdown-it';

const SAFE_LINK = /^(https?:|mailto:)/i;

export const isSafeLink = (url: string): boolean => SAFE_LINK.test(url.trim());

const escapeHtml = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

const languageOf = (info: string): string => (info.trim().split(/\s+/)[0] ?? '').replace(/[^A-Za-z0-9_+#.-]/g, '').slice(0, 40);

export const highlightCode = (code: string, language: string): string => {
  if (language && hljs.getLanguage(language)) {
    try {
      return hljs.highlight(code, { language, ignoreIllegals: true }).value;
    } catch {
      // fall through to plain text
    }
  }
  return escapeHtml(code);
};

const codeToolbar = (language: string): string =>
  `<div class="code-toolbar" role="toolbar" aria-label="Code block actions">` +
  (language ? `<span class="code-language">${escapeHtml(language)}</span>` : '') +
  `<button type="button" class="code-action" data-action="copy-code" aria-label="Copy code" title="Copy">Copy</button>` +
  `<button type="button" class="code-action" data-action="insert-code" aria-label="Insert code at the cursor" title="Insert at cursor">Insert</button>` +
  `<button type="button" class="code-action" data-action="open-code" aria-label="Open code in a new file" title="Open in new file">New file</button>` +
  `</div>`;

const createRenderer = (): MarkdownIt => {
  const markdown = new MarkdownIt({ html: false, linkify: true, typographer: false, breaks: false });
  markdown.validateLink = isSafeLink;
  // A remote image would be a tracking pixel (and the CSP refuses it anyway).
  markdown.disable('image');
  markdown.renderer.rules.fence = (tokens, index) => {
    const token = tokens[index]!;
    const language = languageOf(token.info);
    const languageClass = language ? ` class="hljs language-${escapeHtml(language)}"` : ' class="hljs"';
    return (
      `<div class="code-block" data-language="${escapeHtml(language)}">${codeToolbar(language)}` +
      `<pre><code${languageClass}>${highlightCode(token.content, language)}</code></pre></div>\n`
    );
  };
  markdown.renderer.rules.code_block = markdown.renderer.rules.fence;
  const defaultLinkOpen = markdown.renderer.rules.link_open ?? ((tokens, index, options, _env, self) => self.renderToken(tokens, index, options));
  markdown.renderer.rules.link_open = (tokens, index, options, env, self) => {
    const token = tokens[index]!;
    token.attrSet('rel', 'noopener noreferrer');
    token.attrSet('title', token.attrGet('href') ?? '');
    return defaultLinkOpen(tokens, index, options, env, self);
  };
  return markdown;
};

let renderer: MarkdownIt | undefined;

/** The answer's markdown as safe HTML. */
export const renderMarkdown = (source: string): string => {
  renderer ??= createRenderer();
  return renderer.render(source);
};
