import { describeMetrics, formatMs } from '../../extension/chat/answer-metrics.js';
import type { AssistantTurn, MediaItem } from '../../extension/chat/protocol.js';
import { blobUrl, button, h } from './dom.js';
import { postToHost } from './host.js';
import { renderMarkdown } from './render-markdown.js';

export interface AnswerOptions {
  /** Compare columns get a "Use this answer" button instead of Regenerate. */
  onChoose?: () => void;
  chosen?: boolean;
  liveFirstTokenMs?: number;
  liveTokensPerSecond?: number;
}

const mediaElement = (answer: AssistantTurn, item: MediaItem, index: number): HTMLElement => {
  const save = button('Save to workspace', `Save the ${item.kind} to the workspace`, () => postToHost({ type: 'save-media', answerId: answer.id, index }), 'button secondary');
  if (!item.data) return h('div', { className: 'media missing', text: `The ${item.kind} is no longer stored.` });
  let content: HTMLElement;
  if (item.kind === 'image') {
    content = h('img', { className: 'generated-image', attributes: { src: `data:${item.mimeType};base64,${item.data}`, alt: item.caption ? `Generated image: ${item.caption}` : 'Generated image' } });
  } else if (item.kind === 'audio') {
    content = h('audio', { attributes: { controls: '', src: blobUrl(item.data, item.mimeType), 'aria-label': 'Generated speech' } });
  } else {
    content = h('video', { attributes: { controls: '', src: blobUrl(item.data, item.mimeType), 'aria-label': 'Generated video' } });
  }
  return h('figure', { className: `media media-${item.kind}` }, content, item.caption ? h('figcaption', { text: item.caption }) : null, save);
};

const statusText = (answer: AssistantTurn): string => {
  if (answer.status === 'stopped') return 'Stopped';
  if (answer.status !== 'streaming') return '';
  if (answer.mode === 'video') return `Generating video... ${answer.progress ?? 0}%`;
  if (answer.mode === 'image') return 'Generating image...';
  if (answer.mode === 'speech') return 'Generating speech...';
  if (answer.mode === 'transcription') return 'Transcribing...';
  return answer.text ? '' : 'Waiting for the first token...';
};

/** The body of an answer: markdown, media, progress, error. Re-rendered on every update. */
export const fillAnswerBody = (body: HTMLElement, answer: AssistantTurn): void => {
  body.replaceChildren();
  if (answer.reasoning) {
    const details = h('details', { className: 'reasoning' }, h('summary', { text: 'Reasoning' }));
    details.append(h('div', { className: 'reasoning-text', text: answer.reasoning }));
    body.append(details);
  }
  if (answer.text) {
    const markdown = h('div', { className: 'markdown' });
    // Safe: renderMarkdown escapes raw HTML and drops unsafe links (see render-markdown.ts).
    markdown.innerHTML = renderMarkdown(answer.text);
    body.append(markdown);
  }
  for (const [index, item] of (answer.media ?? []).entries()) body.append(mediaElement(answer, item, index));
  for (const note of answer.notes ?? []) body.append(h('div', { className: 'answer-note', attributes: { role: 'note' }, text: note }));
  if (answer.mode === 'video' && answer.status === 'streaming') {
    body.append(h('progress', { attributes: { max: '100', value: String(answer.progress ?? 0), 'aria-label': 'Video progress' } }));
  }
  const status = statusText(answer);
  if (status) body.append(h('div', { className: 'answer-status', attributes: { role: 'status' }, text: status }));
  if (answer.status === 'error') {
    body.append(
      h(
        'div',
        { className: 'answer-error', attributes: { role: 'alert' } },
        h('span', { text: answer.error?.message ?? 'The answer failed.' }),
        button('Retry', `Retry the answer from ${answer.model}`, () => postToHost({ type: 'regenerate', answerId: answer.id }), 'button secondary'),
      ),
    );
  }
};

export const metricsLine = (answer: AssistantTurn, options: AnswerOptions = {}): string => {
  if (answer.metrics) return describeMetrics(answer.metrics);
  if (options.liveFirstTokenMs !== undefined) {
    const speed = options.liveTokensPerSecond === undefined ? '' : ` · ~${options.liveTokensPerSecond} tok/s`;
    return `${answer.model} · first token ${formatMs(options.liveFirstTokenMs)}${speed}`;
  }
  return answer.model;
};

/** Thumbs up and down: toggle buttons (a pressed one, pressed again, takes the rating back). */
const ratingButtons = (answer: AssistantTurn): HTMLElement[] =>
  (['up', 'down'] as const).map((rating) => {
    const pressed = answer.rating === rating;
    const label = rating === 'up' ? 'Good answer' : 'Bad answer';
    const rate = button(rating === 'up' ? 'Good' : 'Bad', `${label} from ${answer.model}${pressed ? ' (rated; press to take back)' : ''}`, () => postToHost({ type: 'rate', answerId: answer.id, rating: pressed ? null : rating }), 'toggle rate');
    rate.setAttribute('aria-pressed', String(pressed));
    rate.dataset.rating = rating;
    return rate;
  });

/** One answer with its header, body, figures and actions. */
export const answerView = (answer: AssistantTurn, options: AnswerOptions = {}): HTMLElement => {
  const body = h('div', { className: 'answer-body' });
  fillAnswerBody(body, answer);
  const actions = h('div', { className: 'answer-actions' });
  if (answer.status === 'done' && answer.metrics?.requestId) actions.append(...ratingButtons(answer));
  if (answer.text && answer.status !== 'streaming') actions.append(button('Copy', 'Copy the answer', () => postToHost({ type: 'copy', text: answer.text }), 'button secondary'));
  if (answer.status !== 'streaming') actions.append(button('Regenerate', `Regenerate the answer from ${answer.model}`, () => postToHost({ type: 'regenerate', answerId: answer.id }), 'button secondary'));
  if (options.onChoose && answer.status === 'done') {
    actions.append(button(options.chosen ? 'Chosen' : 'Use this answer', `Continue the conversation with ${answer.model}`, options.onChoose, options.chosen ? 'button' : 'button secondary'));
  }
  return h(
    'article',
    { className: `answer status-${answer.status}${options.chosen ? ' chosen' : ''}`, attributes: { id: `answer-${answer.id}`, 'data-answer-id': answer.id, 'aria-label': `Answer from ${answer.model}` } },
    h('header', { className: 'answer-model', text: answer.model }),
    body,
    h('footer', { className: 'answer-metrics', attributes: { 'data-role': 'metrics' }, text: metricsLine(answer, options) }),
    actions,
  );
};
