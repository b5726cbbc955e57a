import type { UsageTags } from '../usage/usage-record.js';
import type { TokenPolicy } from './token-policy.js';

/** Who is asking: the local token's name, its policy and team, and the request's tags. */
export interface Requester {
  name: string;
  policy?: TokenPolicy;
  team?: string;
  tags?: UsageTags;
}

/** A request let in: holds its budget reservation until its record settles it. */
export interface Admission {
  /** What it reserved; undefined when no cap applied (then nothing was estimated). */
  reservedUsd: number | undefined;
  release(): void;
}
