import type { ViewMessage } from '../../extension/chat/protocol.js';

import { vscodeApi as api } from '../shared/vscode-api.js';

/** Every message to the extension goes through here, typed by the shared protocol. */
export const postToHost = (message: ViewMessage): void => api.postMessage(message);

export const savedDraft = (): string => {
  const state = api.getState() as { draft?: unknown } | undefined;
  return typeof state?.draft === 'string' ? state.draft : '';
};

export const saveDraft = (draft: string): void => api.setState({ draft });
