import type { BudgetCap } from '../governance/budgets.js';
import type { TagPolicy } from '../governance/tag-policies.js';
import type { TokenPolicy } from '../governance/token-policy.js';
import type { UsageRecord, UsageSink } from '../usage/usage-record.js';
import type { RecordQuery, UsageQuery, UsageSummary } from '../usage/usage-rollups.js';

/** The store seam: where usage, budgets, rate limits, tokens and policies live. The embedded default (the
 * JSON-lines ledger with its rollups, counters in memory, tokens from the config or SecretStorage)
 * is what the gateway does without a TeamStore, and all the extension ever uses. A team store
 * (proxy/store/team/, loaded by the CLI only when configured) shares them between replicas. */

/** A cap as the shared counters know it: the cap and the counter key it is checked against. */
export interface KeyedCap {
  cap: BudgetCap;
  key: string;
}

/** Why a shared reservation was refused: the first cap it would pass, with what was committed. */
export interface HoldRefusal {
  cap: BudgetCap;
  spentUsd: number;
  committedUsd: number;
}

export type RateDecision = { admitted: true } | { admitted: false; retryAfterSeconds: number };

/** What one request asks of the shared limits: a hold of its estimate against its caps (none when
 * no cap applies) and one request of its token's rate (when it has one). */
export interface SharedAdmission {
  requestId: string;
  caps: KeyedCap[];
  amountUsd: number;
  rate?: { client: string; perMinute: number };
}

/** Undefined: admitted (and held). Otherwise what refused it; a refusal holds and takes nothing. */
export type SharedDecision = undefined | { refusal: HoldRefusal } | { retryAfterSeconds: number };

/** Rate limits and budget counters shared by every replica, decided in one step per request. A
 * hold is settled by the request's usage record (keyed by request id), or expires if its replica
 * dies. */
export interface SharedLimits {
  admit(request: SharedAdmission): Promise<SharedDecision>;
}

/** A token kept by a team store: its secret only as a SHA-256 digest. */
export interface StoredToken {
  name: string;
  digest: Buffer;
  team?: string;
  admin: boolean;
  policy?: TokenPolicy;
}

export type ServerState = 'up' | 'down' | 'off';

/** What the readiness endpoint reports. */
export interface StoreState {
  kind: 'embedded' | 'postgres';
  /** Whether this replica can serve: false only until the store has been reached once. */
  ready: boolean;
  postgres: ServerState;
  redis: ServerState;
  /** Usage records answered but not yet in Postgres (spooled on disk meanwhile). */
  spooled: number;
}

export const EMBEDDED_STATE: StoreState = { kind: 'embedded', ready: true, postgres: 'off', redis: 'off', spooled: 0 };

/** Who answers the usage API's and the CLI report's summaries and per-record views: the embedded
 * ledger (its rollups and files) or a team store (Postgres, the same answers from every replica). */
export interface UsageReports {
  /** A period's sums, grouped and filtered as the query says, for one client or (none) everyone. */
  summarize(query: UsageQuery): Promise<UsageSummary>;
  /** Every record of a period, filtered the same way, oldest first, read a part at a time (an
   * export of months never sits in memory whole). */
  records(query: RecordQuery): AsyncIterable<UsageRecord>;
  /** The latest records (of one client, when given), newest first; the ledger has them at hand. */
  recent(limit: number, client?: string): UsageRecord[] | Promise<UsageRecord[]>;
  /** Whether the figures may still be short (the ledger's rollups being built at start). */
  readonly loading: boolean;
}

export interface TeamStore {
  /** Every finished request's record: spooled on disk at once, written to Postgres in batches. */
  usage: UsageSink;
  /** Everyone's usage as Postgres has it, summed or record by record (records still spooled are
   * not in yet). */
  reports: UsageReports;
  limits: SharedLimits;
  /** Called now with the store's tokens, and again whenever they change (created, revoked). */
  watchTokens(listener: (tokens: StoredToken[]) => void): void;
  /** Called now with the store's policies by tag or team, and again whenever they change. */
  watchPolicies(listener: (policies: TagPolicy[]) => void): void;
  state(): StoreState;
  close(): Promise<void>;
}
