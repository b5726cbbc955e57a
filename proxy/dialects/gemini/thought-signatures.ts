/** Gemini 3 refuses a conversation whose earlier function calls come back without the
 * thoughtSignature they were sent with, and OpenAI's format has no field to carry it. The gateway
 * keeps each signature by the tool-call id it made up, so the next request can restore it.
 * Bounded: the oldest entries go first. */
const MAX_ENTRIES = 1_000;
const signatures = new Map<string, string>();

export const rememberSignature = (toolCallId: string, signature: string): void => {
  signatures.delete(toolCallId);
  signatures.set(toolCallId, signature);
  if (signatures.size > MAX_ENTRIES) signatures.delete(signatures.keys().next().value as string);
};

export const signatureFor = (toolCallId: string): string | undefined => signatures.get(toolCallId);

/** Google's documented value for a function call whose signature is unknown (a conversation
 * begun with another model, or a gateway restart): it skips the validation instead of failing. */
export const SKIP_SIGNATURE_VALIDATION = 'skip_thought_signature_validator';
