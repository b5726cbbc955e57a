import * as vscode from 'vscode';
import type { ExtensionServices } from '../services.js';
import type { ChatSession } from './chat-session.js';
import type { ConversationStore } from './conversation-store.js';
import type { EditorTracker } from './editor-actions.js';
import { fileAttachment, insertAtCursor, openInNewFile, pickedAttachment, saveMedia, selectionAttachment } from './editor-actions.js';
import { pickModel } from '../model-picker/model-picker.js';
import { modeOf } from './model-mode.js';
import type { Attachment, ChooserTarget, HostMessage, ViewMessage } from './protocol.js';

/** What the view's messages act on: the chat view provider, seen from here (a structural type, so
 * this module and the provider do not import each other). */
export interface ChatViewProvider {
  readonly store: ConversationStore;
  readonly session: ChatSession;
  readonly editors: EditorTracker;
  readonly services: ExtensionServices;
  post(message: HostMessage): void;
  postModels(refresh?: boolean): Promise<void>;
  postState(): Promise<void>;
}

const notice = (provider: ChatViewProvider, result: Attachment | string | undefined): void => {
  if (typeof result === 'string') provider.post({ type: 'notice', level: 'error', message: result });
  else if (result) provider.post({ type: 'attachment', attachment: result });
};

const attach = async (provider: ChatViewProvider, source: 'selection' | 'file' | 'image' | 'audio'): Promise<void> => {
  if (source === 'selection') notice(provider, selectionAttachment(provider.editors));
  else if (source === 'file') notice(provider, fileAttachment(provider.editors));
  else notice(provider, await pickedAttachment(source));
};

const renameConversation = async (provider: ChatViewProvider, id: string): Promise<void> => {
  const current = (await provider.store.list()).find((entry) => entry.id === id);
  if (!current) return;
  const title = await vscode.window.showInputBox({ title: 'Rename conversation', value: current.title, prompt: 'A name for this conversation', validateInput: (value) => (value.trim() ? undefined : 'The name cannot be empty.') });
  if (!title) return;
  const renamed = await provider.store.rename(id, title);
  if (renamed && provider.session.conversation.id === id) provider.session.conversation.title = renamed.title;
  await provider.session.publish();
};

const deleteConversation = async (provider: ChatViewProvider, id: string): Promise<void> => {
  const current = (await provider.store.list()).find((entry) => entry.id === id);
  const choice = await vscode.window.showWarningMessage(`Delete the conversation "${current?.title ?? 'New chat'}"?`, { modal: true }, 'Delete');
  if (choice !== 'Delete') return;
  await provider.store.delete(id);
  if (provider.session.conversation.id === id) await provider.session.startNew(provider.session.conversation.model);
  else await provider.session.publish();
};

const saveAnswerMedia = async (provider: ChatViewProvider, answerId: string, index: number): Promise<void> => {
  const answers = provider.session.conversation.turns.flatMap((turn) => (turn.role === 'assistant' ? [turn] : turn.role === 'compare' ? turn.answers : []));
  const item = answers.find((answer) => answer.id === answerId)?.media?.[index];
  const bytes = item && (await provider.store.readMedia(item.file));
  if (!item || !bytes) return;
  const saved = await saveMedia(bytes, `modapi-${item.kind}-${item.file}`);
  if (saved) void vscode.window.showInformationMessage(`Saved ${vscode.workspace.asRelativePath(saved)}.`);
};

/** The searchable chooser (the palette's QuickPick) for the view's model or a compared one. */
const openChooser = async (provider: ChatViewProvider, target: ChooserTarget): Promise<void> => {
  const chosen = await pickModel(provider.services, {
    title: target.kind === 'model' ? 'ModAPI: Model for the chat' : `ModAPI: Compared model ${target.slot + 1}`,
    only: (entry) => (target.kind === 'model' ? modeOf(entry.modalities) !== undefined : modeOf(entry.modalities) === 'chat'),
  });
  if (!chosen) return;
  if (target.kind === 'model') await provider.services.models.choose(chosen);
  provider.post({ type: 'chosen-model', target, model: chosen });
};

const selectModel = async (provider: ChatViewProvider, model: string): Promise<void> => {
  const refusal = provider.services.allowance().refusal(model);
  if (refusal) provider.post({ type: 'notice', level: 'error', message: refusal });
  else await provider.services.models.choose(model);
};

/** What the extension does for each message the webview may send (already validated). */
export const handleViewMessage = async (provider: ChatViewProvider, message: ViewMessage): Promise<void> => {
  const session = provider.session;
  switch (message.type) {
    case 'ready':
      return provider.postState();
    case 'send':
      return session.send(message.text, message.attachments, message.model);
    case 'compare':
      return session.compare(message.text, message.attachments, message.models);
    case 'choose-answer': {
      const model = await session.choose(message.turnId, message.answerId);
      if (model) await provider.services.models.choose(model);
      return;
    }
    case 'stop':
      return session.stop();
    case 'regenerate':
      return session.regenerate(message.answerId);
    case 'edit':
      return session.edit(message.turnId, message.text, message.model);
    case 'select-model':
      return selectModel(provider, message.model);
    case 'request-attachment':
      return attach(provider, message.source);
    case 'copy':
      await vscode.env.clipboard.writeText(message.text);
      return;
    case 'insert-code': {
      const problem = await insertAtCursor(provider.editors, message.code);
      if (problem) provider.post({ type: 'notice', level: 'error', message: problem });
      return;
    }
    case 'open-code':
      return openInNewFile(message.code, message.language);
    case 'save-media':
      return saveAnswerMedia(provider, message.answerId, message.index);
    case 'new-conversation':
      return session.startNew(session.conversation.model || provider.services.models.current || '');
    case 'open-conversation':
      await session.open(message.id);
      return;
    case 'rename-conversation':
      return renameConversation(provider, message.id);
    case 'delete-conversation':
      return deleteConversation(provider, message.id);
    case 'refresh-models':
      return provider.postModels(true);
    case 'rate':
      return session.rate(message.answerId, message.rating);
    case 'open-chooser':
      return openChooser(provider, message.target);
  }
};
