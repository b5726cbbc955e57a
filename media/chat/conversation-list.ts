import type { ViewState } from './view-state.js';
import { button, h } from './dom.js';
import { postToHost } from './host.js';

/** The stored conversations: open, rename, delete. */
export const conversationList = (state: ViewState): HTMLElement => {
  const list = h('ul', { className: 'conversation-list', attributes: { 'aria-label': 'Conversations' } });
  if (state.conversations.length === 0) list.append(h('li', { className: 'empty', text: 'No saved conversations yet.' }));
  for (const conversation of state.conversations) {
    const current = conversation.id === state.conversation?.id;
    list.append(
      h(
        'li',
        { className: `conversation${current ? ' current' : ''}` },
        button(conversation.title, `Open conversation ${conversation.title}`, () => postToHost({ type: 'open-conversation', id: conversation.id }), 'conversation-open'),
        h('span', { className: 'conversation-meta', text: `${conversation.model} · ${new Date(conversation.updatedAt).toLocaleString()}` }),
        button('Rename', `Rename conversation ${conversation.title}`, () => postToHost({ type: 'rename-conversation', id: conversation.id }), 'button secondary small'),
        button('Delete', `Delete conversation ${conversation.title}`, () => postToHost({ type: 'delete-conversation', id: conversation.id }), 'button secondary small'),
      ),
    );
  }
  return h('nav', { className: 'conversations', attributes: { 'aria-label': 'Saved conversations' } }, list);
};
