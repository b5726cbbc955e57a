import type { LanguageModelChatRequestMessage } from '../../../extension/language-models/lm-provider-api.js';

/** The few `vscode` language model classes the provider sees, with VS Code's field names and
 * role values; the provider recognises parts by shape, so these stand in for the real ones. */
export class LanguageModelTextPart {
  constructor(readonly value: string) {}
}

export class LanguageModelToolCallPart {
  constructor(
    readonly callId: string,
    readonly name: string,
    readonly input: object,
  ) {}
}

export class LanguageModelToolResultPart {
  constructor(
    readonly callId: string,
    readonly content: unknown[],
  ) {}
}

export class LanguageModelDataPart {
  constructor(
    readonly data: Uint8Array,
    readonly mimeType: string,
  ) {}
}

export const Role = { User: 1, Assistant: 2, System: 3 } as const;

export const message = (role: 1 | 2 | 3, ...content: unknown[]): LanguageModelChatRequestMessage => ({ role: role as LanguageModelChatRequestMessage['role'], content, name: undefined });

export const partFactory = {
  text: (value: string) => new LanguageModelTextPart(value),
  toolCall: (callId: string, name: string, input: object) => new LanguageModelToolCallPart(callId, name, input),
};

/** A cancellation token whose `cancel()` fires its listeners, as VS Code's does. */
export const cancellationToken = () => {
  const listeners = new Set<(event: unknown) => void>();
  const token = {
    isCancellationRequested: false,
    onCancellationRequested: (listener: (event: unknown) => void) => {
      listeners.add(listener);
      return { dispose: () => listeners.delete(listener) };
    },
    cancel: () => {
      token.isCancellationRequested = true;
      for (const listener of listeners) listener(undefined);
    },
    listenerCount: () => listeners.size,
  };
  return token;
};
