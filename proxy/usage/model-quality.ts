import type { Rating } from './ratings.js';

/** Under this many comparisons a model's win rate is not shown: one or two choices say little. */
export const MIN_COMPARISONS = 5;

/** What people thought of one model's answers over a period. */
export interface ModelQuality {
  thumbsUp: number;
  thumbsDown: number;
  /** Thumbs up over all thumbs, 0 to 1; null without any. */
  thumbsUpShare: number | null;
  wins: number;
  losses: number;
  /** Comparisons the model took part in (wins + losses). */
  comparisons: number;
  /** Wins over comparisons, 0 to 1; null under the minimum count of comparisons. */
  winRate: number | null;
  /** Answers asked again (a soft negative). */
  regenerations: number;
}

export const emptyQuality = (): ModelQuality => ({ thumbsUp: 0, thumbsDown: 0, thumbsUpShare: null, wins: 0, losses: 0, comparisons: 0, winRate: null, regenerations: 0 });

/** Counts ratings into `quality` (the rates are filled in by `finishQuality`). */
const count = (quality: ModelQuality, rating: Rating): void => {
  if (rating.kind === 'up') quality.thumbsUp += 1;
  else if (rating.kind === 'down') quality.thumbsDown += 1;
  else if (rating.kind === 'win') quality.wins += 1;
  else if (rating.kind === 'loss') quality.losses += 1;
  else quality.regenerations += 1;
};

const finishQuality = (quality: ModelQuality, minimumComparisons: number): ModelQuality => {
  const thumbs = quality.thumbsUp + quality.thumbsDown;
  quality.comparisons = quality.wins + quality.losses;
  quality.thumbsUpShare = thumbs > 0 ? quality.thumbsUp / thumbs : null;
  quality.winRate = quality.comparisons >= minimumComparisons && quality.comparisons > 0 ? quality.wins / quality.comparisons : null;
  return quality;
};

/** Each model's quality figures from a set of ratings. */
export const qualityByModel = (ratings: Iterable<Rating>, minimumComparisons = MIN_COMPARISONS): Map<string, ModelQuality> => {
  const byModel = new Map<string, ModelQuality>();
  for (const rating of ratings) {
    let quality = byModel.get(rating.model);
    if (!quality) byModel.set(rating.model, (quality = emptyQuality()));
    count(quality, rating);
  }
  for (const quality of byModel.values()) finishQuality(quality, minimumComparisons);
  return byModel;
};
