/** An HTTP answer as a client got it (or as a recording holds it). */
export interface HttpAnswer {
  status: number;
  contentType: string;
  body: string;
}

export const isEventStream = (answer: HttpAnswer): boolean => /^\s*text\/event-stream/i.test(answer.contentType);

/** What a client that asked for a stream (or not) finds wrong with the answer's framing. */
export const framingViolations = (answer: HttpAnswer, streamed: boolean): string[] => {
  if (answer.status >= 400) return [];
  if (streamed && !isEventStream(answer)) return ['a stream was asked for and the answer is not an event stream'];
  if (!streamed && isEventStream(answer)) return ['a whole answer was asked for and the answer is an event stream'];
  return [];
};

export const count = (value: unknown): number => (typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : 0);
