import type { AnswerFormat } from '../../pipeline/answer-format.js';
import { GeminiAnswerEncoder, mergeChunks, type GeminiAnswerOptions } from './encode-answer.js';
import type { GeminiResponse } from './wire-types.js';

/** How streamGenerateContent answers: SSE with `?alt=sse` (what Google's SDKs and Gemini CLI
 * ask for), else one JSON array whose elements arrive as they are made. */
export type GeminiStreamFraming = 'sse' | 'json-array';

/** streamGenerateContent frames its chunks as SSE when asked with `alt=sse`, else as one JSON array. */
export const streamFramingOf = (query: Record<string, unknown>): GeminiStreamFraming => (query.alt === 'sse' ? 'sse' : 'json-array');

const sseEvents = (chunks: GeminiResponse[]): string => {
  let text = '';
  for (const chunk of chunks) text += `data: ${JSON.stringify(chunk)}\r\n\r\n`;
  return text;
};

/** Gemini's answer to generateContent (one GenerateContentResponse) and streamGenerateContent
 * (its chunks as SSE or as a JSON array). */
export const geminiAnswerFormat = (options: GeminiAnswerOptions, framing: GeminiStreamFraming = 'sse'): AnswerFormat => {
  const encoder = new GeminiAnswerEncoder(options);
  let elements = 0;
  const arrayElements = (chunks: GeminiResponse[]): string => {
    let text = '';
    for (const chunk of chunks) text += `${elements++ === 0 ? '' : ',\r\n'}${JSON.stringify(chunk)}`;
    return text;
  };
  const frame = framing === 'sse' ? sseEvents : arrayElements;
  return {
    whole: async (parts) => {
      const wholeEncoder = new GeminiAnswerEncoder(options);
      const chunks: GeminiResponse[] = [];
      for await (const part of parts) {
        if (part.type === 'error') throw part.error;
        chunks.push(...wholeEncoder.encode(part));
      }
      chunks.push(wholeEncoder.finish());
      return JSON.stringify(mergeChunks(chunks));
    },
    opening: () => (framing === 'sse' ? '' : '['),
    encode: (part) => frame(encoder.encode(part)),
    closing: () => frame([encoder.finish()]) + (framing === 'sse' ? '' : ']'),
    ...(framing === 'json-array' ? { streamContentType: 'application/json; charset=utf-8' } : {}),
  };
};
