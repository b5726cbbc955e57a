import '../shared/buttons.css';
import './chat.css';
import './markdown.css';
import type { AssistantTurn, HostMessage } from '../../extension/chat/protocol.js';
import { fillAnswerBody, metricsLine } from './answer-view.js';
import { addImageFiles, composerView } from './composer.js';
import { conversationList } from './conversation-list.js';
import { button, h } from './dom.js';
import { postToHost } from './host.js';
import { renderTranscript } from './transcript.js';
import { createState, liveFigures } from './view-state.js';

const state = createState();
const app = document.getElementById('app')!;
const transcript = h('main', { className: 'transcript', attributes: { role: 'log', 'aria-live': 'polite', 'aria-label': 'Conversation' } });
const header = h('header', { className: 'toolbar' });
const conversations = h('div', { className: 'conversations-slot' });
const notices = h('div', { className: 'notices', attributes: { role: 'status', 'aria-live': 'polite' } });
const composerSlot = h('div', { className: 'composer-slot' });
app.replaceChildren(header, conversations, transcript, notices, composerSlot);

const answers = (): AssistantTurn[] => (state.conversation?.turns ?? []).flatMap((turn) => (turn.role === 'assistant' ? [turn] : turn.role === 'compare' ? turn.answers : []));
const busy = (): boolean => answers().some((answer) => answer.status === 'streaming');

const renderHeader = (): void => {
  header.replaceChildren(
    button(state.showConversations ? 'Hide chats' : 'Chats', 'Show saved conversations', () => {
      state.showConversations = !state.showConversations;
      renderAll();
    }, 'button secondary'),
    h('h1', { className: 'title', text: state.conversation?.title ?? 'New chat' }),
    button('New', 'Start a new conversation', () => postToHost({ type: 'new-conversation' }), 'button secondary'),
  );
  conversations.replaceChildren(state.showConversations ? conversationList(state) : '');
};

const renderComposer = (): void => {
  const hadFocus = document.activeElement?.classList.contains('prompt') ?? false;
  const composer = composerView(state, busy(), renderComposer);
  composerSlot.replaceChildren(composer.element);
  if (hadFocus) composer.textarea.focus();
};

const renderAll = (): void => {
  renderHeader();
  renderTranscript(transcript, state);
  renderComposer();
  app.setAttribute('aria-busy', String(busy()));
  transcript.scrollTop = transcript.scrollHeight;
};

/** Streaming: only the answer's body is re-rendered, once per frame. */
const pending = new Set<string>();
const scheduleAnswer = (answerId: string): void => {
  if (pending.has(answerId)) return;
  pending.add(answerId);
  requestAnimationFrame(() => {
    pending.delete(answerId);
    const answer = answers().find((entry) => entry.id === answerId);
    const element = document.getElementById(`answer-${answerId}`);
    const body = element?.querySelector<HTMLElement>('.answer-body');
    if (!answer || !element || !body) return;
    const nearBottom = transcript.scrollHeight - transcript.scrollTop - transcript.clientHeight < 80;
    fillAnswerBody(body, answer);
    const metrics = element.querySelector('[data-role="metrics"]');
    if (metrics) metrics.textContent = metricsLine(answer, liveFigures(state, answerId, answer.text));
    if (nearBottom) transcript.scrollTop = transcript.scrollHeight;
  });
};

const markRunning = (): void => {
  for (const answer of answers()) if (answer.status === 'streaming' && !state.startedAt.has(answer.id)) state.startedAt.set(answer.id, performance.now());
};

const showNotice = (level: 'info' | 'error', message: string): void => {
  const notice = h('div', { className: `notice ${level}`, attributes: { role: level === 'error' ? 'alert' : 'status' } }, h('span', { text: message }), button('×', 'Dismiss', () => notice.remove(), 'chip-remove'));
  notices.append(notice);
  setTimeout(() => notice.remove(), 8000);
};

const onMessage = (message: HostMessage): void => {
  switch (message.type) {
    case 'state':
      state.models = message.models;
      state.shortlist = message.shortlist;
      state.selectedModel = message.selectedModel;
      state.conversations = message.conversations;
      state.conversation = message.conversation;
      markRunning();
      renderAll();
      return;
    case 'conversation':
      state.conversation = message.conversation;
      state.conversations = message.conversations;
      markRunning();
      renderAll();
      return;
    case 'conversations':
      state.conversations = message.conversations;
      renderHeader();
      return;
    case 'models':
      state.models = message.models;
      state.shortlist = message.shortlist;
      state.selectedModel = message.selectedModel;
      renderComposer();
      return;
    case 'answer-delta': {
      if (message.conversationId !== state.conversation?.id) return;
      const answer = answers().find((entry) => entry.id === message.answerId);
      if (!answer) return;
      answer.text += message.text;
      if (message.reasoning) answer.reasoning = (answer.reasoning ?? '') + message.reasoning;
      if (!state.firstTokenAt.has(answer.id)) state.firstTokenAt.set(answer.id, performance.now());
      scheduleAnswer(answer.id);
      return;
    }
    case 'answer-update': {
      if (message.conversationId !== state.conversation?.id || !state.conversation) return;
      for (const turn of state.conversation.turns) {
        if (turn.role === 'assistant' && turn.id === message.answer.id) Object.assign(turn, message.answer);
        if (turn.role === 'compare') turn.answers = turn.answers.map((answer) => (answer.id === message.answer.id ? message.answer : answer));
      }
      if (message.answer.status === 'streaming') scheduleAnswer(message.answer.id);
      else renderAll();
      return;
    }
    case 'chosen-model':
      if (message.target.kind === 'model') state.selectedModel = message.model;
      else state.compareModels[message.target.slot] = message.model;
      renderComposer();
      return;
    case 'attachment':
      state.attachments.push(message.attachment);
      renderComposer();
      return;
    case 'notice':
      showNotice(message.level, message.message);
      return;
  }
};

window.addEventListener('message', (event: MessageEvent<HostMessage>) => onMessage(event.data));

// Code block buttons are plain markup from the renderer; their clicks are handled here.
transcript.addEventListener('click', (event) => {
  const target = (event.target as HTMLElement).closest<HTMLElement>('[data-action]');
  const block = target?.closest<HTMLElement>('.code-block');
  if (!target || !block) return;
  const code = block.querySelector('code')?.textContent ?? '';
  const action = target.dataset.action;
  if (action === 'copy-code') postToHost({ type: 'copy', text: code });
  else if (action === 'insert-code') postToHost({ type: 'insert-code', code });
  else if (action === 'open-code') postToHost({ type: 'open-code', code, language: block.dataset.language ?? '' });
});

document.addEventListener('keydown', (event) => {
  if (event.key === 'Escape' && busy()) {
    event.preventDefault();
    postToHost({ type: 'stop' });
  }
});

app.addEventListener('dragover', (event) => {
  if (event.dataTransfer?.types.includes('Files')) event.preventDefault();
});
app.addEventListener('drop', (event) => {
  const files = event.dataTransfer?.files;
  if (!files || files.length === 0) return;
  event.preventDefault();
  void addImageFiles(state, [...files], renderComposer);
});

renderAll();
postToHost({ type: 'ready' });
