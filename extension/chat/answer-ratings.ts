import { comparisonRatings, comparisonSlots, regenerateRating, THUMB_SLOT, thumbRating, type RatedAnswer, type RatingStore } from '../../proxy/usage/ratings.js';
import { CHAT_VIEW_CLIENT } from './answer-runner.js';
import type { AnswerRating, AssistantTurn } from './protocol.js';

/** An answer as its rating records name it (its usage record's id, model and provider); undefined
 * for an answer without a record (it never reached the gateway). */
export const ratedAnswer = (answer: AssistantTurn): RatedAnswer | undefined => {
  const metrics = answer.metrics;
  return metrics?.requestId ? { requestId: metrics.requestId, model: metrics.servedModel ?? answer.model, provider: metrics.provider ?? '' } : undefined;
};

/** The chat view's ratings: thumbs, Compare's choice (a win over each other answer shown, a loss
 * for each of those) and Regenerate (a soft negative), written to the store beside the ledger.
 * Only the ids, models and kinds are written: never the prompt or the answer. */
export class AnswerRatings {
  constructor(
    private readonly store: () => RatingStore | undefined,
    private readonly now: () => string = () => new Date().toISOString(),
  ) {}

  /** Sets or (null) takes back the thumbs on an answer; false when it has nothing to link to. */
  async thumb(answer: AssistantTurn, rating: AnswerRating | null): Promise<boolean> {
    const rated = ratedAnswer(answer);
    const store = this.store();
    if (!rated || !store) return false;
    if (rating) await store.put(thumbRating(rated, rating, this.now(), CHAT_VIEW_CLIENT));
    else await store.remove(rated.requestId, THUMB_SLOT);
    return true;
  }

  /** "Use this answer": any earlier choice among these answers is replaced. */
  async choice(answers: readonly AssistantTurn[], chosen: AssistantTurn): Promise<void> {
    const store = this.store();
    const winner = ratedAnswer(chosen);
    if (!store || !winner) return;
    const rated = answers.map(ratedAnswer).filter((entry): entry is RatedAnswer => entry !== undefined);
    for (const slot of comparisonSlots(rated)) await store.remove(slot.requestId, slot.slot);
    for (const rating of comparisonRatings(winner, rated, this.now(), CHAT_VIEW_CLIENT)) await store.put(rating);
  }

  async regenerated(answer: AssistantTurn): Promise<void> {
    const rated = ratedAnswer(answer);
    const store = this.store();
    if (rated && store) await store.put(regenerateRating(rated, this.now(), CHAT_VIEW_CLIENT));
  }
}
