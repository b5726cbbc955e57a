import type { TokenPolicy } from './token-policy.js';

/** Who is asking: the local token's name and its policy. */
export interface Requester {
  name: string;
  policy?: TokenPolicy;
}

/** A request let in: holds its budget reservation until its record settles it. */
export interface Admission {
  /** What it reserved; undefined when no cap applied (then nothing was estimated). */
  reservedUsd: number | undefined;
  release(): void;
}
