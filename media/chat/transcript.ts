import { bestOf } from '../../extension/chat/answer-metrics.js';
import type { Attachment, CompareTurn, Turn, UserTurn } from '../../extension/chat/protocol.js';
import { answerView } from './answer-view.js';
import { button, h } from './dom.js';
import { postToHost } from './host.js';
import { liveFigures, type ViewState } from './view-state.js';

export const attachmentLabel = (attachment: Attachment): string => {
  if (attachment.kind === 'selection') return `Selection: ${attachment.name}`;
  if (attachment.kind === 'file') return `File: ${attachment.name}`;
  if (attachment.kind === 'image') return `Image: ${attachment.name}`;
  return `Audio: ${attachment.name}`;
};

const editor = (turn: UserTurn, model: string, restore: () => void): HTMLElement => {
  const textarea = h('textarea', { className: 'edit-input', attributes: { 'aria-label': 'Edit your message', rows: '3' } });
  textarea.value = turn.text;
  const submit = (): void => {
    if (textarea.value.trim()) postToHost({ type: 'edit', turnId: turn.id, text: textarea.value, model });
  };
  textarea.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      submit();
    } else if (event.key === 'Escape') {
      event.stopPropagation();
      restore();
    }
  });
  queueMicrotask(() => textarea.focus());
  return h('div', { className: 'edit' }, textarea, h('div', { className: 'row' }, button('Send', 'Send the edited message', submit), button('Cancel', 'Cancel editing', restore, 'button secondary')));
};

const userView = (turn: UserTurn, state: ViewState): HTMLElement => {
  const element = h('article', { className: 'turn user', attributes: { 'data-turn-id': turn.id, 'aria-label': 'Your message' } });
  const show = (): void => {
    element.replaceChildren(
      h('div', { className: 'user-text', text: turn.text }),
      turn.attachments.length > 0 ? h('ul', { className: 'chips', attributes: { 'aria-label': 'Attachments' } }, ...turn.attachments.map((attachment) => h('li', { className: 'chip', text: attachmentLabel(attachment) }))) : '',
      h('div', { className: 'turn-actions' }, button('Edit', 'Edit and resend this message', () => element.replaceChildren(editor(turn, state.selectedModel, show)), 'button secondary')),
    );
  };
  show();
  return element;
};

const compareView = (turn: CompareTurn, state: ViewState): HTMLElement => {
  const best = bestOf(turn.answers.map((answer) => answer.metrics));
  const columns = turn.answers.map((answer, index) => {
    const column = answerView(answer, {
      chosen: turn.chosen === answer.id,
      onChoose: () => postToHost({ type: 'choose-answer', turnId: turn.id, answerId: answer.id }),
      ...(answer.status === 'streaming' ? liveFigures(state, answer.id, answer.text) : {}),
    });
    const badges: string[] = [];
    if (best.fastestFirstToken === index) badges.push('fastest first token');
    if (best.fastestOutput === index) badges.push('fastest output');
    if (best.cheapest === index) badges.push('cheapest');
    if (badges.length > 0 && turn.answers.filter((entry) => entry.metrics).length > 1) column.querySelector('header')?.append(h('span', { className: 'badges', text: ` (${badges.join(', ')})` }));
    return column;
  });
  return h('section', { className: `turn compare columns-${turn.answers.length}`, attributes: { 'data-turn-id': turn.id, 'aria-label': `Comparison of ${turn.answers.length} models` } }, ...columns);
};

export const turnView = (turn: Turn, state: ViewState): HTMLElement => {
  if (turn.role === 'user') return userView(turn, state);
  if (turn.role === 'compare') return compareView(turn, state);
  const element = answerView(turn);
  element.classList.add('turn');
  return element;
};

/** Re-renders the whole transcript (conversation switches, structural changes). */
export const renderTranscript = (container: HTMLElement, state: ViewState): void => {
  const turns = state.conversation?.turns ?? [];
  if (turns.length === 0) {
    container.replaceChildren(h('div', { className: 'empty', text: 'Ask anything, attach code or an image, or pick an image, speech or video model. Compare runs one prompt on several models side by side.' }));
    return;
  }
  container.replaceChildren(...turns.map((turn) => turnView(turn, state)));
};
