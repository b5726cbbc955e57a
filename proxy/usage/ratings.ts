/** A person's judgement of one answer, linked to the answer's ledger record by its request id:
 * metadata only (which model, which kind, when), never the prompt or the answer. */
export type RatingKind = 'up' | 'down' | 'win' | 'loss' | 'regenerate';

export interface Rating {
  time: string;
  /** The request id of the answer's usage record. */
  requestId: string;
  /** Which judgement of that answer this is; a later rating of the same slot replaces it:
   * `thumb` (up or down), `compare:<other request id>` (win or loss), `regenerate`. */
  slot: string;
  kind: RatingKind;
  /** The model and provider that served (as in the usage record, so figures join by model). */
  model: string;
  provider: string;
  /** Which client rated (`chat-view`, `vscode-chat`). */
  client: string;
}

export interface RatingQuery {
  /** First and last UTC day (YYYY-MM-DD), inclusive, by the rating's time; open when absent. */
  fromDay?: string;
  toDay?: string;
  client?: string;
}

/** Where ratings are kept: a JSON-lines file beside the ledger here, a team database elsewhere. */
export interface RatingStore {
  put(rating: Rating): Promise<void>;
  remove(requestId: string, slot: string): Promise<void>;
  /** The current ratings (the latest of each slot, removed ones left out). */
  list(query?: RatingQuery): Promise<Rating[]>;
}

export const THUMB_SLOT = 'thumb';
export const REGENERATE_SLOT = 'regenerate';
export const compareSlot = (opponentRequestId: string): string => `compare:${opponentRequestId}`;

const slotKey = (requestId: string, slot: string): string => `${requestId}\u0000${slot}`;

export const matchesRatingQuery = (rating: Rating, query: RatingQuery = {}): boolean => {
  const day = rating.time.slice(0, 10);
  return !(query.fromDay && day < query.fromDay) && !(query.toDay && day > query.toDay) && (query.client === undefined || rating.client === query.client);
};

/** Ratings in memory, the latest per slot: the store without a folder, and the file store's index. */
export class MemoryRatingStore implements RatingStore {
  private readonly ratings = new Map<string, Rating>();

  put(rating: Rating): Promise<void> {
    this.apply({ op: 'put', ...rating });
    return Promise.resolve();
  }

  remove(requestId: string, slot: string): Promise<void> {
    this.apply({ op: 'remove', requestId, slot });
    return Promise.resolve();
  }

  list(query?: RatingQuery): Promise<Rating[]> {
    return Promise.resolve([...this.ratings.values()].filter((rating) => matchesRatingQuery(rating, query)));
  }

  /** One change, as the file store writes it. */
  apply(change: RatingChange): void {
    const key = slotKey(change.requestId, change.slot);
    // A key removed and set again goes to the end, so listing follows the order of changes.
    this.ratings.delete(key);
    if (change.op === 'put') {
      this.ratings.set(key, { time: change.time, requestId: change.requestId, slot: change.slot, kind: change.kind, model: change.model, provider: change.provider, client: change.client });
    }
  }
}

export type RatingChange = ({ op: 'put' } & Rating) | { op: 'remove'; requestId: string; slot: string; time?: string };

/** An answer as ratings know it: its usage record's request id, model and provider. */
export interface RatedAnswer {
  requestId: string;
  model: string;
  provider: string;
}

const ratingOf = (answer: RatedAnswer, slot: string, kind: RatingKind, time: string, client: string): Rating => ({ time, requestId: answer.requestId, slot, kind, model: answer.model, provider: answer.provider, client });

/** "Use this answer" in a comparison: a win for the chosen answer over each other one shown, and a
 * loss for each of those. */
export const comparisonRatings = (chosen: RatedAnswer, others: readonly RatedAnswer[], time: string, client: string): Rating[] =>
  others
    .filter((other) => other.requestId !== chosen.requestId)
    .flatMap((other) => [ratingOf(chosen, compareSlot(other.requestId), 'win', time, client), ratingOf(other, compareSlot(chosen.requestId), 'loss', time, client)]);

/** Every win or loss slot among the answers of one comparison (to clear a changed choice). */
export const comparisonSlots = (answers: readonly RatedAnswer[]): { requestId: string; slot: string }[] =>
  answers.flatMap((answer) => answers.filter((other) => other.requestId !== answer.requestId).map((other) => ({ requestId: answer.requestId, slot: compareSlot(other.requestId) })));

export const thumbRating = (answer: RatedAnswer, kind: 'up' | 'down', time: string, client: string): Rating => ratingOf(answer, THUMB_SLOT, kind, time, client);

export const regenerateRating = (answer: RatedAnswer, time: string, client: string): Rating => ratingOf(answer, REGENERATE_SLOT, 'regenerate', time, client);

/** The same store, calling `changed` after each put or remove (a panel showing ratings follows). */
export const observedRatingStore = (store: RatingStore, changed: () => void): RatingStore => ({
  put: async (rating) => {
    await store.put(rating);
    changed();
  },
  remove: async (requestId, slot) => {
    await store.remove(requestId, slot);
    changed();
  },
  list: (query) => store.list(query),
});
