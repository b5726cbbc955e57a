import { parseArguments, type ChoiceView } from '../neutral-view.js';

interface CallState {
  name: string;
  argumentsText: string;
  /** Arguments given whole as an object (Anthropic's message, Gemini's functionCall.args). */
  whole?: unknown;
}

interface ChoiceState {
  text: string;
  refusal: string;
  reasoning: string;
  calls: Map<number, CallState>;
  finishReason: string | null;
}

/** Builds the choices of one answer from pieces in any order a format gives them: text, refusal
 * and reasoning appended, tool calls by their position, the last finish reason. */
export class ChoicesBuilder {
  private readonly states = new Map<number, ChoiceState>();

  choice(index: number): ChoiceState {
    let state = this.states.get(index);
    if (!state) {
      state = { text: '', refusal: '', reasoning: '', calls: new Map(), finishReason: null };
      this.states.set(index, state);
    }
    return state;
  }

  /** A tool call's state; the name is the first non-empty one given (a repeated name is not appended). */
  call(choice: number, position: number, name?: string): CallState {
    const calls = this.choice(choice).calls;
    let call = calls.get(position);
    if (!call) {
      call = { name: '', argumentsText: '' };
      calls.set(position, call);
    }
    if (name && !call.name) call.name = name;
    return call;
  }

  /** Choices by index, tool calls by position, holes closed up; a choice with nothing in it at all
   * (a stream that only failed) is no choice. */
  build(): ChoiceView[] {
    return [...this.states.entries()]
      .filter(([, state]) => state.text || state.refusal || state.reasoning || state.calls.size > 0 || state.finishReason !== null)
      .sort(([first], [second]) => first - second)
      .map(([, state]) => ({
        text: state.text,
        refusal: state.refusal,
        reasoning: state.reasoning,
        toolCalls: [...state.calls.entries()]
          .sort(([first], [second]) => first - second)
          .map(([, call]) => ({ name: call.name, arguments: call.whole !== undefined && call.argumentsText === '' ? call.whole : parseArguments(call.argumentsText) })),
        finishReason: state.finishReason,
      }));
  }
}
