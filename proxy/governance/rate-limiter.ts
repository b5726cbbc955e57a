import { GatewayError } from '../errors.js';

const WINDOW_MS = 60_000;

/** Requests per minute per client, over a sliding minute: the times of the admitted requests of
 * the last minute are kept (at most the limit), so a burst at a minute's edge cannot double it. */
export class RateLimiter {
  private readonly admitted = new Map<string, number[]>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Admits a request, or returns the seconds until one would be admitted. */
  take(client: string, perMinute: number): { admitted: true } | { admitted: false; retryAfterSeconds: number } {
    const now = this.now();
    const times = (this.admitted.get(client) ?? []).filter((time) => time > now - WINDOW_MS);
    if (times.length >= perMinute) {
      this.admitted.set(client, times);
      const oldest = times[times.length - perMinute] as number;
      return { admitted: false, retryAfterSeconds: Math.max(1, Math.ceil((oldest + WINDOW_MS - now) / 1000)) };
    }
    times.push(now);
    this.admitted.set(client, times);
    return { admitted: true };
  }
}

export const rateLimited = (client: string, perMinute: number, retryAfterSeconds: number): GatewayError =>
  new GatewayError(429, `The local token "${client}" is limited to ${perMinute} requests a minute; retry in ${retryAfterSeconds} s.`, {
    type: 'rate_limit_error',
    code: 'rate_limited',
    retryAfter: String(retryAfterSeconds),
  });
