/** The operation names of OpenTelemetry's GenAI semantic conventions that ModAPI's calls are. */
export type GenAiOperation = 'chat' | 'text_completion' | 'embeddings' | 'generate_content';

/** What a call is tracked as: the endpoint label its ledger record carries, and the GenAI
 * operation its telemetry reports. Each route and core function declares its own. */
export interface CallEndpoint {
  readonly label: string;
  readonly operation: GenAiOperation;
}

export const callEndpoint = (label: string, operation: GenAiOperation): CallEndpoint => ({ label, operation });
