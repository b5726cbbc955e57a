/** In-process SDKs send through the global fetch. While installed, this guard lets only loopback
 * URLs through and notes every other one (refused with a network error), so a test shows an SDK
 * reached nothing but the gateway (no telemetry, no tracing export). */
export interface LoopbackFetchGuard {
  readonly refused: string[];
  restore(): void;
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

export const guardFetchToLoopback = (): LoopbackFetchGuard => {
  const original = globalThis.fetch;
  const refused: string[] = [];
  globalThis.fetch = (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    if (LOOPBACK_HOSTS.has(url.hostname)) return original(input, init);
    refused.push(`${url.protocol}//${url.host}${url.pathname}`);
    return Promise.reject(new TypeError(`fetch to ${url.host} refused: tests reach only 127.0.0.1`));
  };
  return {
    refused,
    restore: () => {
      globalThis.fetch = original;
    },
  };
};
