import type { ChatMessage } from '../../proxy/adapters/types.js';
import { generateImage, generateVideo, runChat, synthesizeSpeech, transcribeAudio } from '../../proxy/core/index.js';
import type { InProcessOptions } from '../../proxy/pipeline/begin-call.js';
import { GatewayError, toGatewayError } from '../../proxy/errors.js';
import { publicError } from '../../proxy/public-error.js';
import type { GatewayContext } from '../../proxy/server/gateway-context.js';
import type { UsageRecord } from '../../proxy/usage/usage-record.js';
import { metricsFromRecord } from './answer-metrics.js';
import type { ConversationStore } from './conversation-store.js';
import type { AssistantTurn, Attachment } from './protocol.js';

export const CHAT_VIEW_CLIENT = 'chat-view';

/** What one answer is asked: the conversation so far (chat) or the prompt (media models). */
export interface AnswerInput {
  messages: ChatMessage[];
  prompt: string;
  audio?: Extract<Attachment, { kind: 'audio' }>;
}

export interface AnswerSinks {
  /** New text (and reasoning) streamed in. */
  delta(text: string, reasoning?: string): void;
  /** Anything else about the answer changed (progress, media). */
  changed(): void;
}

const EXTENSIONS: Record<string, string> = { 'image/png': 'png', 'image/jpeg': 'jpg', 'image/webp': 'webp', 'audio/mpeg': 'mp3', 'audio/wav': 'wav', 'audio/ogg': 'ogg', 'audio/opus': 'opus', 'audio/aac': 'aac', 'audio/flac': 'flac', 'video/mp4': 'mp4', 'video/webm': 'webm' };

const mimeTypeOfImage = (base64: string): string => (base64.startsWith('/9j/') ? 'image/jpeg' : base64.startsWith('UklGR') ? 'image/webp' : 'image/png');

/** Runs one answer with its model's mode, filling in `answer` (text, media, metrics, status,
 * error) as it goes. Never throws: failures end up inline in the answer. */
export const runAnswer = async (gateway: GatewayContext, store: ConversationStore, answer: AssistantTurn, input: AnswerInput, signal: AbortSignal, sinks: AnswerSinks): Promise<void> => {
  let record: UsageRecord | undefined;
  const options: InProcessOptions = { client: CHAT_VIEW_CLIENT, signal, onRecord: (entry) => (record = entry) };
  answer.status = 'streaming';
  try {
    switch (answer.mode) {
      case 'chat':
        await streamChat(gateway, answer, input, options, sinks);
        break;
      case 'image':
        await makeImages(gateway, store, answer, input, options);
        break;
      case 'speech':
        await makeSpeech(gateway, store, answer, input, options);
        break;
      case 'transcription':
        await makeTranscription(gateway, answer, input, options);
        break;
      case 'video':
        await makeVideo(gateway, store, answer, input, options, sinks);
        break;
    }
    if (answer.status === 'streaming') answer.status = signal.aborted ? 'stopped' : 'done';
  } catch (error) {
    if (signal.aborted) answer.status = 'stopped';
    else {
      // Redacted here too: a media call's later steps (a video job's polls) fail after its record.
      const failure = publicError(toGatewayError(error), gateway.redactor);
      answer.status = 'error';
      answer.error = { message: failure.message, code: failure.code };
    }
  }
  if (record) answer.metrics = metricsFromRecord(answer.model, record);
};

const streamChat = async (gateway: GatewayContext, answer: AssistantTurn, input: AnswerInput, options: InProcessOptions, sinks: AnswerSinks): Promise<void> => {
  for await (const part of runChat(gateway, { model: answer.model, messages: input.messages }, options)) {
    if (part.type === 'text-delta' || part.type === 'refusal-delta') {
      answer.text += part.text;
      sinks.delta(part.text);
    } else if (part.type === 'reasoning-delta') {
      answer.reasoning = (answer.reasoning ?? '') + part.text;
      sinks.delta('', part.text);
    } else if (part.type === 'warning') {
      answer.notes = [...(answer.notes ?? []), part.message];
      sinks.changed();
    } else if (part.type === 'error') {
      answer.status = 'error';
      answer.error = { message: part.error.message, code: part.error.code };
    }
  }
};

const makeImages = async (gateway: GatewayContext, store: ConversationStore, answer: AssistantTurn, input: AnswerInput, options: InProcessOptions): Promise<void> => {
  const result = await generateImage(gateway, { model: answer.model, prompt: input.prompt, n: 1 }, options);
  answer.media = [];
  for (const image of result.images) {
    if (!image.b64Json) continue; // a URL answer would mean loading remote content in the view
    const mimeType = mimeTypeOfImage(image.b64Json);
    const file = await store.saveMedia(Buffer.from(image.b64Json, 'base64'), EXTENSIONS[mimeType] ?? 'png');
    answer.media.push({ kind: 'image', mimeType, file, caption: image.revisedPrompt });
  }
  if (answer.media.length === 0) throw new GatewayError(502, 'The model returned no image.', { type: 'upstream_error', code: 'no_image' });
};

const makeSpeech = async (gateway: GatewayContext, store: ConversationStore, answer: AssistantTurn, input: AnswerInput, options: InProcessOptions): Promise<void> => {
  const result = await synthesizeSpeech(gateway, { model: answer.model, input: input.prompt }, options);
  const mimeType = result.contentType.split(';')[0]!.trim().toLowerCase();
  const file = await store.saveMedia(result.audio, EXTENSIONS[mimeType] ?? 'mp3');
  answer.media = [{ kind: 'audio', mimeType: mimeType.startsWith('audio/') ? mimeType : 'audio/mpeg', file }];
};

const makeTranscription = async (gateway: GatewayContext, answer: AssistantTurn, input: AnswerInput, options: InProcessOptions): Promise<void> => {
  if (!input.audio) throw GatewayError.invalidRequest('Attach an audio file to transcribe ("Attach...", then "Audio file").', 'file', 'missing_audio');
  const result = await transcribeAudio(gateway, { model: answer.model, audio: Buffer.from(input.audio.base64, 'base64'), filename: input.audio.name, mimeType: input.audio.mimeType }, options);
  answer.text = result.text;
};

const makeVideo = async (gateway: GatewayContext, store: ConversationStore, answer: AssistantTurn, input: AnswerInput, options: InProcessOptions, sinks: AnswerSinks): Promise<void> => {
  answer.progress = 0;
  const result = await generateVideo(gateway, { model: answer.model, prompt: input.prompt }, {
    ...options,
    onProgress: (job) => {
      answer.progress = job.progress;
      sinks.changed();
    },
  });
  const mimeType = result.contentType.split(';')[0]!.trim().toLowerCase();
  const file = await store.saveMedia(result.video, EXTENSIONS[mimeType] ?? 'mp4');
  answer.media = [{ kind: 'video', mimeType: mimeType.startsWith('video/') ? mimeType : 'video/mp4', file }];
  answer.progress = 100;
};
