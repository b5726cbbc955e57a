import type { Mode } from './recordings.js';

/** A matrix cell (or cells) that fails on today's gateway, and why. */
export interface CellDrift {
  recordings: RegExp;
  lanes: RegExp;
  modes: readonly Mode[];
  /** Where the view differs from the recording's: every difference must start with one of these. */
  differs: readonly string[];
  reason: string;
}

/** A regression test (regressions.test.ts) that fails on today's gateway, and why. */
export interface RegressionDrift {
  regression: string;
  reason: string;
}

export type DriftEntry = CellDrift | RegressionDrift;

export const isCellDrift = (entry: DriftEntry): entry is CellDrift => 'lanes' in entry;

const STREAMS: readonly Mode[] = ['streamed', 'split'];
const ALL: readonly Mode[] = ['whole', 'streamed', 'split'];

/** KNOWN_DRIFT: what fails on today's gateway, kept here (not in a .test.ts file) because the
 * matrix (lane-parity.test.ts) and the regressions (regressions.test.ts) share it. Both expect
 * these to fail: a listed cell or regression that passes fails its test, so the list stays honest.
 * Remove an entry when its fix lands. */
export const KNOWN_DRIFT: readonly DriftEntry[] = [
  {
    recordings: /^anthropic\/message-/,
    lanes: /^anthropic-messages\/anthropic$/,
    modes: STREAMS,
    differs: ['violations'],
    reason:
      'the native /v1/messages relay passes a whole JSON answer to a stream request on as JSON (application/json), so an Anthropic client that asked for a stream gets no events; the other lanes turn it into the stream asked for',
  },
  {
    recordings: /^anthropic\/message-thinking-opus-5-effort-high\.vercel\.json$/,
    lanes: /^anthropic-messages\/anthropic$/,
    modes: ALL,
    differs: ['ledger.reasoningTokens', 'ledger.costUsd'],
    reason: 'issue 12 case 2: the native relay\'s usage observer ignores output_tokens_details.thinking_tokens, so the ledger records reasoning 0 where the adapter lanes record 139',
  },
  {
    recordings: /^anthropic\/stream-error-event-overloaded-data/,
    lanes: /^anthropic-messages\/anthropic$/,
    modes: STREAMS,
    differs: ['ledger.status'],
    reason: 'the native relay records an in-stream error event as status 502 (its own observer), where the adapter lanes record the status its type stands for (overloaded_error: 529, written 503)',
  },
  {
    recordings: /^(openai\/chat-completion-|openai-compatible\/deepseek-chat-completion-)/,
    lanes: /^(anthropic-messages|in-process)\/openai$/,
    modes: STREAMS,
    differs: ['choices', 'usage', 'ledger'],
    reason:
      'issue 12 case 3: the OpenAI-compatible adapter reads a whole JSON answer to a stream request as SSE and finds nothing: an empty answer, recorded as 200 with no usage (the /v1/chat/completions relay handles it)',
  },
  {
    recordings: /^openai-compatible\/openrouter-chat-stream-fragment-/,
    lanes: /^anthropic-messages\/openai$/,
    modes: STREAMS,
    differs: ['choices[0].finishReason'],
    reason: 'a stream that ends without a finish reason (or [DONE]) reaches an Anthropic client as a finished answer (stop_reason end_turn); the other lanes leave it unfinished',
  },
  {
    recordings: /^openai-compatible\/xai-chat-stream-reasoning-content-tool-call-usage/,
    lanes: /\/openai$/,
    modes: STREAMS,
    differs: ['ledger.completionTokens', 'ledger.costUsd', 'usage.completionTokens'],
    reason:
      'xAI counts reasoning tokens apart from completion_tokens (total_tokens 560 = 307 prompt + 26 completion + 227 reasoning); the gateway takes completion_tokens as OpenAI\'s (reasoning included), so the ledger and translated usage undercount output by 227 tokens',
  },
  {
    regression: 'case 1 | anthropic-messages/anthropic: the upstream is called at /v1/messages, not /v1/v1/messages',
    reason: 'issue 12 case 1: the native /v1/messages relay appends /v1/messages to the base URL as given; the adapter (the other lanes) strips a trailing /v1 first',
  },
  {
    regression: "case 2 | anthropic-messages/anthropic: an Anthropic answer's thinking tokens reach the ledger as reasoning tokens",
    reason: 'issue 12 case 2: the native relay\'s usage observer (routes/messages) is a second copy of the Anthropic usage mapping and ignores output_tokens_details.thinking_tokens',
  },
  {
    regression: 'case 3 | in-process/openai | streamed: an error answered under status 200 is the error it names, in the answer and the ledger',
    reason: 'issue 12 case 3: the OpenAI-compatible adapter reads `200 {"error":...}` as an empty stream: no error part, ledger status 200',
  },
  {
    regression: 'case 3 | anthropic-messages/openai | streamed: an error answered under status 200 is the error it names, in the answer and the ledger',
    reason: 'issue 12 case 3, also on /v1/messages over an OpenAI-compatible upstream (the same adapter): an empty answer with end_turn, ledger status 200',
  },
  {
    regression: 'case 3 | anthropic-messages/openai | whole: an error answered under status 200 is the error it names, in the answer and the ledger',
    reason: 'issue 12 case 3, whole answers too: the adapter decodes `200 {"error":...}` as a completion without choices: an empty message, ledger status 200',
  },
  {
    regression: 'case 3 | in-process/openai: a whole JSON answer to a stream request is the answer, in the parts and the ledger',
    reason: 'issue 12 case 3: the OpenAI-compatible adapter reads a whole JSON answer to a stream request as SSE and yields nothing',
  },
  {
    regression: 'case 4 | anthropic-messages/openai: message_start carries an input-token count (an estimate until the upstream says)',
    reason: 'issue 12 case 4: translated /v1/messages streams start with message_start.usage.input_tokens 0 (LangChain reads only that)',
  },
  {
    regression: 'case 4 | anthropic-messages/gemini: message_start carries an input-token count (an estimate until the upstream says)',
    reason: 'issue 12 case 4, over a Gemini upstream the same',
  },
];
