/** Runs `work` once, `delayMs` after the first of a burst of calls: a burst of records becomes one
 * update, and the first record of a quiet period still shows within `delayMs`. */
export const trailingThrottle = (work: () => void, delayMs: number): { schedule(): void; cancel(): void } => {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return {
    schedule() {
      timer ??= setTimeout(() => {
        timer = undefined;
        work();
      }, delayMs);
    },
    cancel() {
      if (timer) clearTimeout(timer);
      timer = undefined;
    },
  };
};
