import type { NeutralView } from './neutral-view.js';

/** A named, deliberate narrowing of the view, for something a lane's client format cannot carry
 * (or that is not the recording's to say). Applied to both sides of a comparison, never silently:
 * each lane lists its own, and the matrix applies the union when two lanes are compared. */
export interface Projection {
  name: string;
  apply(view: NeutralView): NeutralView;
}

/** Anthropic's 529 "overloaded" is no status OpenAI's clients know; the gateway says 503 to them
 * and in the ledger (and 529 again to Anthropic clients), so the matrix compares 529 as 503. */
export const OVERLOADED_AS_503: Projection = {
  name: 'overloaded-as-503',
  apply: (view) => ({
    ...view,
    error: view.error && { ...view.error, status: view.error.status === 529 ? 503 : view.error.status },
    ledger: { ...view.ledger, status: view.ledger.status === 529 ? 503 : view.ledger.status },
  }),
};

/** A recording that reports no usage leaves the ledger with the gateway's estimate on streams
 * (from the lane's own request size and event count, so it differs by lane and mode) and with
 * nothing on whole answers: only status and error code are compared. An Anthropic client's stream
 * keeps message_start's estimate of its input too (from the lane's own request). */
export const UNREPORTED_USAGE: Projection = {
  name: 'unreported-usage',
  apply: (view) => ({
    ...view,
    usage: { ...view.usage, promptTokens: 0 },
    ledger: { ...view.ledger, promptTokens: 0, completionTokens: 0, cachedTokens: 0, cacheCreationTokens: 0, reasoningTokens: 0, costUsd: null, costSource: 'not compared: no usage reported' },
  }),
};

/** Anthropic's Messages format has one answer per message: no `n > 1` choices. */
export const FIRST_CHOICE_ONLY: Projection = {
  name: 'first-choice-only',
  apply: (view) => ({ ...view, choices: view.choices.slice(0, 1) }),
};

/** Anthropic's Messages format has no refusal text beside the answer (only a `refusal` stop
 * reason); OpenAI's `refusal` reaches an Anthropic client as text. */
export const REFUSAL_AS_TEXT: Projection = {
  name: 'refusal-as-text',
  apply: (view) => ({ ...view, choices: view.choices.map((choice) => ({ ...choice, text: choice.text + choice.refusal, refusal: '' })) }),
};

/** Anthropic's documented usage has no reasoning-token count (output_tokens include thinking; a
 * newer `output_tokens_details` is optional and the gateway does not write it), so an Anthropic
 * client's view carries none. The ledger still compares reasoning tokens. */
export const NO_REASONING_TOKEN_COUNT: Projection = {
  name: 'no-reasoning-token-count',
  apply: (view) => ({ ...view, usage: { ...view.usage, reasoningTokens: 0 } }),
};

/** Gemini carries a function call's arguments as an object: a call cut short (its arguments not
 * JSON) cannot reach a Gemini client, which gets the finish reason alone. */
export const NO_CUT_CALLS: Projection = {
  name: 'no-cut-calls',
  apply: (view) => ({
    ...view,
    choices: view.choices.map((choice) => ({ ...choice, toolCalls: choice.toolCalls.filter((call) => !(typeof call.arguments === 'object' && call.arguments !== null && 'unparsed' in call.arguments)) })),
  }),
};

export const project = (view: NeutralView, projections: readonly Projection[]): NeutralView => projections.reduce((projected, projection) => projection.apply(projected), view);

/** The union of several lists, each projection once, in a fixed order. */
export const unionOf = (...lists: (readonly Projection[])[]): Projection[] => [...new Map(lists.flat().map((projection) => [projection.name, projection])).values()].sort((first, second) => first.name.localeCompare(second.name));
