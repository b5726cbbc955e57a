import type { Catalog } from '../catalog/catalog.js';
import type { Logger, Redactor } from '../logger.js';
import type { ProviderRegistry, ResolvedModel } from '../providers/registry.js';
import type { Governance } from '../governance/governance.js';
import type { UsageLedger } from '../usage/usage-ledger.js';
import type { UsageSink } from '../usage/usage-record.js';
import type { LocalTokens } from './local-tokens.js';
import type { ResponsesState } from '../routes/responses/responses-state.js';
import type { CallTelemetry } from '../telemetry/call-telemetry.js';
import type { StoreState, UsageReports } from '../store/store-seam.js';
import { DEFAULT_WHOLE_BODY_BYTES } from '../upstream/whole-body-limit.js';

export interface BodyLimits {
  /** JSON bodies (chat, embeddings, ...). */
  jsonBytes: number;
  /** Multipart uploads (audio, image edits). */
  uploadBytes: number;
  /** A whole (non-streamed) upstream answer; past it, a 502 (upstream/whole-body-limit.ts). */
  upstreamAnswerBytes: number;
}

export const DEFAULT_LIMITS: BodyLimits = { jsonBytes: 32 * 1024 * 1024, uploadBytes: 100 * 1024 * 1024, upstreamAnswerBytes: DEFAULT_WHOLE_BODY_BYTES };

/** What every route needs, built once per gateway. */
export interface GatewayContext {
  registry: ProviderRegistry;
  catalog: Catalog;
  tokens: LocalTokens;
  usage: UsageSink;
  limits: BodyLimits;
  log: Logger;
  redactor: Redactor;
  /** Which provider created a video job, so later polls reach the same one. */
  videoOwners: Map<string, string>;
  /** The usage ledger and its rollups (the usage API, budgets). */
  ledger?: UsageLedger;
  /** Who answers the usage API (sums and records): the team store when there is one, else the ledger. */
  usageReports?: UsageReports;
  /** Allowed models, rate limits and budgets, checked when a request names its model. */
  governance?: Governance;
  /** Per-model fallback chains: client-facing id -> ids to try in order when it fails. */
  fallbacks?: Record<string, string[]>;
  /** The Responses API's stored responses and sealing key (routes/responses/). */
  responses?: ResponsesState;
  /** Every model call's span and metrics (OpenTelemetry), when the standalone gateway exports them. */
  telemetry?: CallTelemetry;
  /** A team store's state for the readiness endpoint (none: the embedded default). */
  store?: { state(): StoreState };
}

/** Model routing with the catalog's knowledge of the default provider's namespaced ids. */
export const resolveModel = (gateway: GatewayContext, model: unknown): ResolvedModel =>
  gateway.registry.resolve(model as string, (id) => gateway.catalog.knows(id));
