import type { Attachment, Conversation, ConversationSummary, ModelOption } from '../../extension/chat/protocol.js';

/** What the page holds; the extension is the source of truth and resends it when it changes. */
export interface ViewState {
  models: ModelOption[];
  selectedModel: string;
  conversations: ConversationSummary[];
  conversation: Conversation | undefined;
  attachments: Attachment[];
  compareMode: boolean;
  compareModels: string[];
  showConversations: boolean;
  /** When each running answer was asked and first answered (live figures in compare). */
  startedAt: Map<string, number>;
  firstTokenAt: Map<string, number>;
}

export const createState = (): ViewState => ({
  models: [],
  selectedModel: '',
  conversations: [],
  conversation: undefined,
  attachments: [],
  compareMode: false,
  compareModels: [],
  showConversations: false,
  startedAt: new Map(),
  firstTokenAt: new Map(),
});
