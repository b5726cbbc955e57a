/** What render-markdown.ts uses of highlight.js, in the chat view's bundle (esbuild.js aliases
 * `highlight.js/lib/common` here). The real highlight.js is most of the view's weight, so it is its
 * own script (dist/media/chat-highlight.js, from highlight-script.ts), requested as soon as this
 * script runs and allowed by the same nonce. Until it arrives code shows as escaped plain text;
 * when it arrives, the code blocks already on screen are highlighted in place. */
import type { HLJSApi } from 'highlight.js';
import { HIGHLIGHT_READY_EVENT, type HighlightWindow } from './highlight-script-contract.js';

const page = window as HighlightWindow;

const highlightShownCode = (hljs: HLJSApi): void => {
  for (const block of document.querySelectorAll<HTMLElement>('.code-block[data-language]')) {
    const language = block.dataset.language ?? '';
    const code = block.querySelector('pre > code');
    if (!code || !language || !hljs.getLanguage(language)) continue;
    // highlight.js output is the escaped text in class-only spans, as render-markdown.ts renders it.
    code.innerHTML = hljs.highlight(code.textContent ?? '', { language, ignoreIllegals: true }).value;
  }
};

const requestScript = (): void => {
  const current = document.currentScript as HTMLScriptElement | null;
  if (!current?.src) return;
  const script = document.createElement('script');
  script.nonce = current.nonce;
  script.src = new URL('chat-highlight.js', current.src).toString();
  document.head.append(script);
};

window.addEventListener(HIGHLIGHT_READY_EVENT, () => page.modapiHighlight && highlightShownCode(page.modapiHighlight), { once: true });
requestScript();

const onDemand = {
  getLanguage: (name: string) => page.modapiHighlight?.getLanguage(name),
  highlight: (code: string, options: { language: string; ignoreIllegals?: boolean }) => {
    if (!page.modapiHighlight) throw new Error('highlight.js has not loaded yet');
    return page.modapiHighlight.highlight(code, options);
  },
};

export default onDemand;
