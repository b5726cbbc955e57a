import type { ChatContentPart, ChatMessage } from '../../proxy/adapters/types.js';
import type { AssistantTurn, Attachment, Conversation, Turn, UserTurn } from './protocol.js';

const fence = (text: string): string => {
  const longest = Math.max(2, ...(text.match(/`{3,}/g) ?? []).map((run) => run.length));
  return '`'.repeat(longest + 1);
};

/** Text attachments travel as fenced blocks before the prompt; images as vision parts. */
export const userContent = (turn: UserTurn): string | ChatContentPart[] => {
  const context = turn.attachments
    .filter((attachment): attachment is Extract<Attachment, { kind: 'selection' | 'file' }> => attachment.kind === 'selection' || attachment.kind === 'file')
    .map((attachment) => {
      const marks = fence(attachment.text);
      return `${attachment.kind === 'selection' ? 'Selected code from' : 'File'} ${attachment.name}:\n${marks}${attachment.language}\n${attachment.text}\n${marks}`;
    });
  const text = [...context, turn.text].join('\n\n');
  const images = turn.attachments.filter((attachment): attachment is Extract<Attachment, { kind: 'image' }> => attachment.kind === 'image');
  if (images.length === 0) return text;
  return [{ type: 'text', text }, ...images.map((image) => ({ type: 'image_url' as const, image_url: { url: image.dataUrl } }))];
};

/** The answer a later request sees for a turn: a compare turn counts as its chosen answer. */
const answerOf = (turn: Turn): AssistantTurn | undefined => {
  if (turn.role === 'assistant') return turn;
  if (turn.role === 'compare') return turn.answers.find((answer) => answer.id === turn.chosen) ?? turn.answers.find((answer) => answer.status === 'done');
  return undefined;
};

/** The chat request's messages for the turns before `end` (exclusive): user prompts with their
 * context, and the text of finished chat answers. Failed answers and media answers are left out. */
export const toChatMessages = (conversation: Conversation, end = conversation.turns.length): ChatMessage[] => {
  const messages: ChatMessage[] = [];
  for (const turn of conversation.turns.slice(0, end)) {
    if (turn.role === 'user') {
      messages.push({ role: 'user', content: userContent(turn) });
      continue;
    }
    const answer = answerOf(turn);
    if (answer && answer.mode === 'chat' && answer.status !== 'error' && answer.text.length > 0) messages.push({ role: 'assistant', content: answer.text });
  }
  return messages;
};
