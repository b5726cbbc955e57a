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

/** KNOWN_DRIFT: what fails on today's gateway, kept here (not in a .test.ts file) because the
 * matrix (lane-parity.test.ts) and the regressions (regressions.test.ts) share it. Both expect
 * these to fail: a listed cell or regression that passes fails its test, so the list stays honest.
 * Remove an entry when its fix lands. */
export const KNOWN_DRIFT: readonly DriftEntry[] = [
  {
    recordings: /^openai-compatible\/openrouter-chat-stream-fragment-/,
    lanes: /^(anthropic-messages|openai-responses)\/openai$/,
    modes: STREAMS,
    differs: ['choices[0].finishReason'],
    reason: 'a stream that ends without a finish reason (or [DONE]) reaches an Anthropic client as a finished answer (stop_reason end_turn) and a Responses client as response.completed; the other lanes leave it unfinished',
  },
  {
    recordings: /^openai-compatible\/openrouter-chat-stream-fragment-/,
    lanes: /^gemini-(generate|json-array)\/openai$/,
    modes: STREAMS,
    differs: ['choices[0].finishReason'],
    reason: 'a stream that ends without a finish reason ends without finishReason for a Gemini client, which Gemini clients (and the Gemini oracle) read as a plain stop: Gemini has no word for an unfinished answer',
  },
];
