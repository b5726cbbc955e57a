/** The one message protocol between the chat view's webview and the extension. The webview imports
 * only its types; the extension validates every message the webview sends with `parseViewMessage`
 * (a webview is a page: what it posts is input, never trusted). */
import { z } from 'zod';
import { MAX_COMPARE_MODELS } from './compare-limit.js';

export type Modality = 'text' | 'vision' | 'image' | 'audio-speech' | 'audio-transcription' | 'video' | 'embedding';

/** What the chooser shows of a catalog entry. */
export interface ModelOption {
  id: string;
  name: string;
  provider: string;
  modalities: Modality[];
  contextWindow?: number;
  /** Short price text ("$2.50 / $10 per 1M tokens"), when known. */
  price?: string;
}

/** What the searchable chooser picks for: the view's model, or one of the compared models. */
export type ChooserTarget = { kind: 'model' } | { kind: 'compare'; slot: number };

/** The models offered first, as in the palette's picker: favourites, then recently used. */
export interface ModelShortlist {
  favourites: string[];
  recent: string[];
}

/** What a model is used for in the view; models that can do none of these are not offered. */
export type ModelMode = 'chat' | 'image' | 'speech' | 'transcription' | 'video';

export type Attachment =
  | { kind: 'selection' | 'file'; name: string; language: string; text: string }
  | { kind: 'image'; name: string; dataUrl: string }
  | { kind: 'audio'; name: string; mimeType: string; base64: string };

export interface AnswerMetrics {
  model: string;
  /** The answer's usage record: its request id, and the provider and model that served (ratings
   * are linked to it). */
  requestId?: string;
  provider?: string;
  servedModel?: string;
  promptTokens: number;
  completionTokens: number;
  costUsd: number | null;
  timeToFirstTokenMs: number | null;
  totalMs: number;
  tokensPerSecond: number | null;
}

/** Generated media; `data` (base64) is filled in only on its way to the webview. */
export interface MediaItem {
  kind: 'image' | 'audio' | 'video';
  mimeType: string;
  /** File name in the conversation store's media folder. */
  file: string;
  data?: string;
  caption?: string;
}

export interface UserTurn {
  role: 'user';
  id: string;
  text: string;
  attachments: Attachment[];
}

export type AnswerStatus = 'streaming' | 'done' | 'stopped' | 'error';

export interface AssistantTurn {
  role: 'assistant';
  id: string;
  model: string;
  mode: ModelMode;
  status: AnswerStatus;
  text: string;
  reasoning?: string;
  error?: { message: string; code: string | null };
  /** What the gateway said along the way (a fallback answered instead, an ignored parameter). */
  notes?: string[];
  metrics?: AnswerMetrics;
  media?: MediaItem[];
  /** Video jobs: percent done. */
  progress?: number;
  /** The person's thumbs on this answer. */
  rating?: AnswerRating;
}

export type AnswerRating = 'up' | 'down';


/** One prompt answered by several models side by side; `chosen` continues the conversation. */
export interface CompareTurn {
  role: 'compare';
  id: string;
  answers: AssistantTurn[];
  chosen?: string;
}

export type Turn = UserTurn | AssistantTurn | CompareTurn;

export interface Conversation {
  id: string;
  title: string;
  model: string;
  createdAt: string;
  updatedAt: string;
  turns: Turn[];
}

export interface ConversationSummary {
  id: string;
  title: string;
  model: string;
  updatedAt: string;
}

/** Extension -> webview. */
export type HostMessage =
  | { type: 'state'; models: ModelOption[]; shortlist: ModelShortlist; selectedModel: string; conversations: ConversationSummary[]; conversation: Conversation }
  | { type: 'conversation'; conversation: Conversation; conversations: ConversationSummary[] }
  | { type: 'answer-delta'; conversationId: string; answerId: string; text: string; reasoning?: string }
  | { type: 'answer-update'; conversationId: string; answer: AssistantTurn }
  | { type: 'conversations'; conversations: ConversationSummary[] }
  | { type: 'models'; models: ModelOption[]; shortlist: ModelShortlist; selectedModel: string }
  | { type: 'attachment'; attachment: Attachment }
  | { type: 'chosen-model'; target: ChooserTarget; model: string }
  | { type: 'notice'; level: 'info' | 'error'; message: string };

const id = z.string().min(1).max(200);
const model = z.string().min(1).max(300);
const text = z.string().max(2_000_000);
const MAX_BASE64 = 40 * 1024 * 1024;

const attachmentSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.enum(['selection', 'file']), name: z.string().max(500), language: z.string().max(100), text }).strict(),
  z.object({ kind: z.literal('image'), name: z.string().max(500), dataUrl: z.string().max(MAX_BASE64).regex(/^data:image\/(png|jpeg|gif|webp);base64,[A-Za-z0-9+/=]+$/) }).strict(),
  z.object({ kind: z.literal('audio'), name: z.string().max(500), mimeType: z.string().regex(/^audio\/[a-z0-9.+-]+$/i), base64: z.string().max(MAX_BASE64).regex(/^[A-Za-z0-9+/=]*$/) }).strict(),
]);

const viewMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready') }).strict(),
  z.object({ type: z.literal('send'), text, attachments: z.array(attachmentSchema).max(20), model }).strict(),
  z.object({ type: z.literal('compare'), text, attachments: z.array(attachmentSchema).max(20), models: z.array(model).min(2).max(MAX_COMPARE_MODELS) }).strict(),
  z.object({ type: z.literal('choose-answer'), turnId: id, answerId: id }).strict(),
  z.object({ type: z.literal('stop') }).strict(),
  z.object({ type: z.literal('regenerate'), answerId: id }).strict(),
  z.object({ type: z.literal('edit'), turnId: id, text, model }).strict(),
  z.object({ type: z.literal('select-model'), model }).strict(),
  z.object({ type: z.literal('request-attachment'), source: z.enum(['selection', 'file', 'image', 'audio']) }).strict(),
  z.object({ type: z.literal('copy'), text }).strict(),
  z.object({ type: z.literal('insert-code'), code: text }).strict(),
  z.object({ type: z.literal('open-code'), code: text, language: z.string().max(100) }).strict(),
  z.object({ type: z.literal('save-media'), answerId: id, index: z.number().int().min(0).max(100) }).strict(),
  z.object({ type: z.literal('new-conversation') }).strict(),
  z.object({ type: z.literal('open-conversation'), id }).strict(),
  z.object({ type: z.literal('rename-conversation'), id }).strict(),
  z.object({ type: z.literal('delete-conversation'), id }).strict(),
  z.object({ type: z.literal('refresh-models') }).strict(),
  /** Thumbs up or down on an answer; null takes the rating back. */
  z.object({ type: z.literal('rate'), answerId: id, rating: z.enum(['up', 'down']).nullable() }).strict(),
  /** Opens the searchable model chooser (a QuickPick) for the view's model or a compared one. */
  z.object({ type: z.literal('open-chooser'), target: z.discriminatedUnion('kind', [z.object({ kind: z.literal('model') }).strict(), z.object({ kind: z.literal('compare'), slot: z.number().int().min(0).max(MAX_COMPARE_MODELS - 1) }).strict()]) }).strict(),
]);

/** Webview -> extension. */
export type ViewMessage = z.infer<typeof viewMessageSchema>;
export type ViewMessageType = ViewMessage['type'];

/** The message if it is one the protocol allows, else undefined (the caller logs and drops it). */
export const parseViewMessage = (message: unknown): ViewMessage | undefined => {
  const result = viewMessageSchema.safeParse(message);
  return result.success ? result.data : undefined;
};
