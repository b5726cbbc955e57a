import type { Attachment, Conversation, ConversationSummary, ModelOption, ModelShortlist } from '../../extension/chat/protocol.js';

/** What the page holds; the extension is the source of truth and resends it when it changes. */
export interface ViewState {
  models: ModelOption[];
  shortlist: ModelShortlist;
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
  shortlist: { favourites: [], recent: [] },
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

/** While an answer streams: its time to first token, and its output speed so far, estimated at
 * about four characters a token (the exact figures come with the answer's ledger record). */
export const liveFigures = (state: ViewState, answerId: string, text: string, now = performance.now()): { liveFirstTokenMs?: number; liveTokensPerSecond?: number } => {
  const started = state.startedAt.get(answerId);
  const first = state.firstTokenAt.get(answerId);
  if (started === undefined || first === undefined) return {};
  const streamingMs = now - first;
  return { liveFirstTokenMs: first - started, liveTokensPerSecond: streamingMs >= 250 ? Math.round((text.length / 4 / (streamingMs / 1000)) * 10) / 10 : undefined };
};
