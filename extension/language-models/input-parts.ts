/** The content parts VS Code puts in a request message, recognised by shape rather than by class:
 * VS Code has several classes per kind (LanguageModelTextPart and TextPart2, ToolResultPart and
 * ToolResultPart2), DataPart only exists from 1.106 on, and the unit tests use plain fakes. */
export type InputPart =
  | { kind: 'text'; text: string }
  | { kind: 'tool-call'; callId: string; name: string; input: unknown }
  | { kind: 'tool-result'; callId: string; content: readonly unknown[] }
  | { kind: 'data'; mimeType: string; data: Uint8Array }
  | { kind: 'other'; value: unknown };

export const classifyPart = (part: unknown): InputPart => {
  if (typeof part !== 'object' || part === null) return { kind: 'other', value: part };
  const value = part as Record<string, unknown>;
  if (typeof value.callId === 'string' && typeof value.name === 'string' && 'input' in value) return { kind: 'tool-call', callId: value.callId, name: value.name, input: value.input };
  if (typeof value.callId === 'string' && Array.isArray(value.content)) return { kind: 'tool-result', callId: value.callId, content: value.content };
  if (typeof value.value === 'string') return { kind: 'text', text: value.value };
  if (typeof value.mimeType === 'string' && value.data instanceof Uint8Array) return { kind: 'data', mimeType: value.mimeType, data: value.data };
  // A LanguageModelPromptTsxPart (a rendered prompt element) carries its content in `value`.
  return { kind: 'other', value: 'value' in value ? value.value : part };
};

export const isImage = (mimeType: string): boolean => /^image\/(png|jpeg|gif|webp)$/i.test(mimeType);

/** A tool result's content as the text a tool message carries. */
export const toolResultText = (content: readonly unknown[]): string =>
  content
    .map((item) => {
      const part = classifyPart(item);
      if (part.kind === 'text') return part.text;
      if (part.kind === 'data') return /^(text\/|application\/json)/i.test(part.mimeType) ? Buffer.from(part.data).toString('utf8') : '';
      if (part.kind === 'other') return typeof part.value === 'string' ? part.value : JSON.stringify(part.value) ?? '';
      return '';
    })
    .join('');
