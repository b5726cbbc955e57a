/** What every lane's answer is reduced to before lanes are compared: the terms a user of any
 * client dialect gets, with token counts in OpenAI's meaning (DESIGN.md, "Usage and cost"). */

export interface ToolCallView {
  name: string;
  /** JSON.parse of the arguments text; `{ unparsed }` when it is not JSON (a call cut short). */
  arguments: unknown;
}

export interface ChoiceView {
  text: string;
  refusal: string;
  reasoning: string;
  toolCalls: ToolCallView[];
  finishReason: string | null;
}

export interface UsageView {
  promptTokens: number;
  completionTokens: number;
  cachedTokens: number;
  reasoningTokens: number;
}

/** Usage as an upstream reported it, with what only the ledger and its cost need. */
export interface ReportedUsage extends UsageView {
  cacheCreationTokens: number;
  /** The request's cost in USD when the upstream says it (`usage.cost`). */
  upstreamCostUsd?: number;
}

export interface ErrorView {
  /** The HTTP status the client got, or for an error inside a stream the status its type stands for. */
  status: number;
}

/** What an oracle decoder reads from one answer. */
export interface DecodedAnswer {
  choices: ChoiceView[];
  usage?: ReportedUsage;
  error: ErrorView | null;
  /** Ways the answer breaks its own format for a client that asked for it (a JSON body to a stream request). */
  violations: string[];
}

export interface LedgerView {
  status: number;
  errorCode: string | null;
  promptTokens: number;
  completionTokens: number;
  cachedTokens: number;
  cacheCreationTokens: number;
  reasoningTokens: number;
  costUsd: number | null;
  costSource: string;
}

export interface NeutralView {
  choices: ChoiceView[];
  /** Absent usage reads as zeros: Anthropic's format always carries usage, OpenAI's only when asked. */
  usage: UsageView;
  error: ErrorView | null;
  violations: string[];
  ledger: LedgerView;
}

export const ZERO_USAGE: UsageView = { promptTokens: 0, completionTokens: 0, cachedTokens: 0, reasoningTokens: 0 };

export const usageView = (usage: ReportedUsage | UsageView | undefined): UsageView =>
  usage ? { promptTokens: usage.promptTokens, completionTokens: usage.completionTokens, cachedTokens: usage.cachedTokens, reasoningTokens: usage.reasoningTokens } : { ...ZERO_USAGE };

export const neutralView = (answer: DecodedAnswer, ledger: LedgerView): NeutralView => ({
  choices: answer.choices,
  usage: usageView(answer.usage),
  error: answer.error,
  violations: answer.violations,
  ledger,
});

/** Tool arguments as a client uses them. */
export const parseArguments = (text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    return { unparsed: text };
  }
};

/** Where two views differ, as paths (`choices[0].text`, `ledger.status`); empty when equal. */
export const differences = (actual: unknown, expected: unknown, path = ''): string[] => {
  if (Object.is(actual, expected)) return [];
  if (Array.isArray(actual) && Array.isArray(expected)) {
    if (actual.length !== expected.length) return [`${path}.length`];
    return actual.flatMap((item, index) => differences(item, expected[index], `${path}[${index}]`));
  }
  if (isRecord(actual) && isRecord(expected) && !Array.isArray(actual) && !Array.isArray(expected)) {
    const keys = [...new Set([...Object.keys(actual), ...Object.keys(expected)])].sort();
    return keys.flatMap((key) => differences(actual[key], expected[key], path ? `${path}.${key}` : key));
  }
  return [path || '(value)'];
};

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;
