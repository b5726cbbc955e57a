/** How a model call learns that its client went away, without an AbortSignal: making one (an
 * EventTarget) and listening on it measured about a tenth of the gateway's own time to first byte.
 * An HTTP route's request tracker, which already listens for the response's close, provides it;
 * an in-process caller's signal is wrapped (watchSignal). */
export interface ClientWatch {
  /** The client went away before its answer was complete. */
  readonly clientGone: boolean;
  /** Calls `listener` once, if and when the client goes away; the function returned stops
   * watching (an upstream call that ended must not stay reachable from a long-lived signal). */
  whenClientGone(listener: () => void): () => void;
  /** An AbortSignal for the same (made on first use), for what needs a real one. */
  clientGoneSignal(): AbortSignal;
}

/** What whenClientGone returns when there is nothing left to stop watching. */
export const NOT_WATCHING = (): void => undefined;

/** A ClientWatch over an AbortSignal, for a caller that holds one (an in-process caller's). */
export const watchSignal = (signal: AbortSignal): ClientWatch => ({
  get clientGone() {
    return signal.aborted;
  },
  whenClientGone: (listener) => {
    if (signal.aborted) {
      listener();
      return NOT_WATCHING;
    }
    signal.addEventListener('abort', listener, { once: true });
    return () => signal.removeEventListener('abort', listener);
  },
  clientGoneSignal: () => signal,
});
