import { GatewayError } from '../../errors.js';
import type { ChatContentPart } from '../../adapters/types.js';
import type { GeminiPart } from './wire-types.js';

const MIME_BY_EXTENSION: Record<string, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  heic: 'image/heic',
  heif: 'image/heif',
  pdf: 'application/pdf',
  mp3: 'audio/mp3',
  wav: 'audio/wav',
  ogg: 'audio/ogg',
  flac: 'audio/flac',
  mp4: 'video/mp4',
  mov: 'video/mov',
  webm: 'video/webm',
  txt: 'text/plain',
};

/** A remote file's type from its name; Gemini insists on one. Images are the common case. */
export const guessMimeType = (url: string, fallback = 'image/jpeg'): string => {
  let path = url;
  try {
    path = new URL(url).pathname;
  } catch {
    // not a URL: use the text as it is
  }
  const extension = path.split('.').pop()?.toLowerCase() ?? '';
  return MIME_BY_EXTENSION[extension] ?? fallback;
};

/** `data:image/png;base64,....` as Gemini inlineData (base64 payload; a percent-encoded one is
 * re-encoded). */
export const inlineDataFromDataUrl = (url: string): GeminiPart | undefined => {
  const match = /^data:([^;,]*)((?:;[^;,]*)*?),(.*)$/s.exec(url);
  if (!match) return undefined;
  const mimeType = match[1] || 'application/octet-stream';
  const isBase64 = /;base64$/i.test(match[2] ?? '');
  const payload = match[3] ?? '';
  const data = isBase64 ? payload : Buffer.from(decodeURIComponent(payload), 'utf8').toString('base64');
  return { inlineData: { mimeType, data } };
};

/** An image, audio or file reference: inline when it is a data: URL, fileData when remote. */
const fromUrl = (url: string, fallbackMime: string): GeminiPart => {
  if (url.startsWith('data:')) {
    const inline = inlineDataFromDataUrl(url);
    if (!inline) throw GatewayError.invalidRequest('A data: URL in the message content is malformed.', 'messages', 'invalid_image_url');
    return inline;
  }
  return { fileData: { mimeType: guessMimeType(url, fallbackMime), fileUri: url } };
};

/** One OpenAI content part as a Gemini part; undefined (with a warning from the caller) when
 * Gemini has no counterpart. */
export const convertContentPart = (part: ChatContentPart): GeminiPart | undefined => {
  if (part.type === 'text') return { text: String((part as { text?: unknown }).text ?? '') };
  if (part.type === 'image_url') {
    const image = (part as { image_url?: { url?: string } | string }).image_url;
    const url = typeof image === 'string' ? image : image?.url;
    if (!url) throw GatewayError.invalidRequest('An image_url part has no url.', 'messages', 'invalid_image_url');
    return fromUrl(url, 'image/jpeg');
  }
  if (part.type === 'input_audio') {
    const audio = (part as { input_audio?: { data?: string; format?: string } }).input_audio;
    if (!audio?.data) return undefined;
    return { inlineData: { mimeType: `audio/${audio.format ?? 'wav'}`, data: audio.data } };
  }
  if (part.type === 'file') {
    const file = (part as { file?: { file_data?: string; filename?: string } }).file;
    if (!file?.file_data) return undefined;
    return fromUrl(file.file_data, guessMimeType(file.filename ?? '', 'application/pdf'));
  }
  return undefined;
};
