import { randomBytes } from 'node:crypto';
import type { Request, Response } from 'express';
import type { AnswerFacts, TokenUsage } from '../adapters/types.js';
import { publicError } from '../public-error.js';
import type { GatewayError } from '../errors.js';
import { estimateCost, type Estimate } from '../governance/estimate.js';
import type { Admission, Requester } from '../governance/governance.js';
import type { TokenPolicy } from '../governance/token-policy.js';
import type { ResolvedModel } from '../providers/registry.js';
import { NOT_WATCHING, type ClientWatch } from '../upstream/client-watch.js';
import type { GatewayContext } from '../server/gateway-context.js';
import type { LocalClient } from '../server/local-tokens.js';
import { checkBodyAttribution, mergeAttribution, parseTagsHeader, TAGS_HEADER, type Attribution, type BodyAttribution } from './attribution.js';
import { costOf } from './cost.js';
import type { ContentWatch } from '../telemetry/call-telemetry.js';
import type { UsageObservation, UsageRecord, UsageTags } from './usage-record.js';
import type { CallEndpoint } from './call-endpoint.js';

export interface TrackerDetails {
  /** The calling token's policy (allowed models, budgets, rate). */
  policy?: TokenPolicy;
  /** The calling token's team. */
  team?: string;
  /** Tags from the request's header (`x-modapi-tags`), checked. */
  tags?: UsageTags;
  /** The request body's size, for estimates (budget reservations, cut streams). */
  requestBytes?: number;
}

const BYTES_PER_TOKEN = 4;

/** Follows one request from arrival to its end and writes its ledger record then, whether it
 * finished, failed or was cut by the client. Admission (allowed models, rate, budgets) happens
 * when the route names the model. */
export class RequestTracker implements ClientWatch {
  readonly requestId = nextRequestId();
  private readonly startedAt = performance.now();
  private firstTokenAt: number | undefined;
  /** Output events seen (chunks or parts): the estimate of output tokens when a stream ends without usage. */
  private outputEvents = 0;
  private usageProvisional = false;
  private requested: ResolvedModel | undefined;
  private served: ResolvedModel | undefined;
  private admission: Admission | undefined;
  private stream = false;
  private error: GatewayError | undefined;
  private finished = false;
  /** The client went away before the response ended. */
  private cut = false;
  private goneListeners: (() => void)[] | undefined;
  /** Made on first use (clientGoneSignal): model calls do without (upstream/client-watch.ts). */
  private goneController: AbortController | undefined;
  readonly observation: UsageObservation = {};
  private attribution: Attribution;
  /** What telemetry takes from the HTTP request (its trace parent, its bodies when content is
   * captured); trackRequest sets it only when telemetry is on. */
  telemetryWatch: { traceparent?: string; content?: ContentWatch } | undefined;

  constructor(
    private readonly gateway: GatewayContext,
    private readonly endpoint: CallEndpoint,
    private readonly client: string,
    private readonly details: TrackerDetails = {},
  ) {
    this.attribution = details.tags ? mergeAttribution(details.tags, {}) : {};
  }

  /** What the body says the request is for (its dialect's metadata fields, decoded by the route
   * through dialects/<name>/attribution.ts); before `route`, since policies and budgets read it. */
  attribute(body: BodyAttribution): void {
    this.attribution = mergeAttribution(this.details.tags, checkBodyAttribution(body, this.gateway.redactor));
  }

  /** Who is asking, as governance sees it. */
  get requester(): Requester {
    return { name: this.client, policy: this.details.policy, team: this.details.team, tags: this.attribution.tags };
  }

  /** The model the request asked for, resolved. Admits the request or throws (403/429). */
  route(resolved: ResolvedModel, stream: boolean): void | Promise<void> {
    this.requested ??= resolved;
    this.served = resolved;
    this.stream = stream;
    if (this.admission || !this.gateway.governance) return;
    const admitted = this.gateway.governance.admit(this.requester, resolved, () => this.estimate(resolved), this.requestId);
    // A team store's shared counters answer asynchronously; the embedded ones at once.
    if (admitted instanceof Promise) return admitted.then((admission) => void (this.admission = admission));
    this.admission = admitted;
  }

  /** The model actually serving, when a fallback took over. */
  servedBy(resolved: ResolvedModel): void {
    this.served = resolved;
  }

  /** Whether this request's token may use a model (fallback candidates are checked with it). */
  mayUse(resolved: ResolvedModel): boolean {
    return this.gateway.governance?.allows(this.requester, resolved) ?? true;
  }

  /** Marks output going to the client: the first one sets the time to first token. */
  firstToken(): void {
    this.firstTokenAt ??= performance.now();
    this.outputEvents += 1;
  }

  /** The answer's usage; `provisional` when only a stream's start gave it (Anthropic's message_start
   * says 1 output token), so that a cut stream still counts the output that reached the client. */
  usage(usage: TokenUsage, provisional = false): void {
    this.observation.usage = usage;
    this.usageProvisional = provisional;
  }

  /** Whether the answer's finish reasons and model are wanted (telemetry is on): the relay lane
   * reads nothing more than usage otherwise. */
  get watchesAnswers(): boolean {
    return this.gateway.telemetry !== undefined;
  }

  finishReason(reason: string): void {
    (this.observation.finishReasons ??= []).push(reason);
  }

  /** What a relay lane's observer read of the answer. */
  answered(answer: AnswerFacts): void {
    for (const reason of answer.finishReasons) this.finishReason(reason);
    if (answer.model) this.answeredBy(answer.model);
  }

  /** The model the upstream says answered (a fallback's answer replaces an earlier attempt's). */
  answeredBy(model: string): void {
    this.observation.responseModel = model;
  }

  /** The ledger keeps the error's code as the public error has it (no secret an upstream echoed). */
  /** Notes the call's failure; returns it as it may leave the gateway (redacted). */
  failed(error: GatewayError): GatewayError {
    this.error = publicError(error, this.gateway.redactor);
    return this.error;
  }

  /** An AbortSignal that fires when the client goes away before the answer is complete. */
  clientGoneSignal(): AbortSignal {
    if (!this.goneController) {
      const controller = new AbortController();
      this.goneController = controller;
      this.whenClientGone(() => controller.abort());
    }
    return this.goneController.signal;
  }

  get clientGone(): boolean {
    return this.cut;
  }

  whenClientGone(listener: () => void): () => void {
    if (this.cut) {
      listener();
      return NOT_WATCHING;
    }
    const listeners = (this.goneListeners ??= []);
    listeners.push(listener);
    return () => {
      const index = listeners.indexOf(listener);
      if (index !== -1) listeners.splice(index, 1);
    };
  }

  /** The response closed before it ended: the client went away. */
  clientClosed(): void {
    if (this.cut) return;
    this.cut = true;
    const listeners = this.goneListeners ?? [];
    this.goneListeners = undefined;
    for (const listener of listeners) listener();
  }

  /** Called when the response ends (before its last bytes leave) or closes. Writes the record once;
   * requests that never reached a model leave no record. */
  finish(status: number): void {
    if (this.finished) return;
    this.finished = true;
    try {
      if (this.served) this.write(this.buildRecord(this.served, status));
    } finally {
      this.admission?.release();
    }
  }

  private buildRecord(served: ResolvedModel, status: number): UsageRecord {
    const provisional = this.observation.usage !== undefined && this.usageProvisional;
    const estimated = (this.observation.usage === undefined && this.stream && this.outputEvents > 0) || provisional;
    if (provisional) this.observation.usage = { ...this.observation.usage!, completionTokens: Math.max(this.observation.usage!.completionTokens, this.outputEvents) };
    else if (estimated) this.observation.usage = { promptTokens: Math.ceil((this.details.requestBytes ?? 0) / BYTES_PER_TOKEN), completionTokens: this.outputEvents };
    const usage = this.observation.usage;
    const cost = costOf(this.observation, this.gateway.catalog.priceFor(served.requestedModel, served.upstreamModel), {
      estimated,
      nothingBillable: this.error !== undefined && this.firstTokenAt === undefined,
    });
    // An unknown cost still counts against budgets, at what the request reserved (or would have).
    const fallbackCostUsd = cost.costUsd === null ? (this.admission?.reservedUsd ?? this.estimate(served).usd) : undefined;
    return {
      time: new Date().toISOString(),
      requestId: this.requestId,
      client: this.client,
      endpoint: this.endpoint.label,
      provider: served.provider.id,
      model: served.upstreamModel,
      requestedModel: this.requested?.requestedModel ?? served.requestedModel,
      stream: this.stream,
      status: this.error?.status ?? status,
      promptTokens: usage?.promptTokens ?? 0,
      completionTokens: usage?.completionTokens ?? 0,
      cachedTokens: usage?.cachedTokens ?? 0,
      cacheCreationTokens: usage?.cacheCreationTokens ?? 0,
      reasoningTokens: usage?.reasoningTokens ?? 0,
      images: this.observation.images ?? 0,
      audioSeconds: this.observation.audioSeconds ?? 0,
      videoSeconds: this.observation.videoSeconds ?? 0,
      characters: this.observation.characters ?? 0,
      costUsd: cost.costUsd,
      costSource: cost.costSource,
      costSourceDetail: fallbackCostUsd === undefined ? cost.costSourceDetail : `${cost.costSourceDetail}; budgets count it at $${fallbackCostUsd}`,
      ...(fallbackCostUsd === undefined ? {} : { fallbackCostUsd }),
      latencyMs: round(performance.now() - this.startedAt),
      timeToFirstTokenMs: this.firstTokenAt === undefined ? null : round(this.firstTokenAt - this.startedAt),
      errorCode: this.error ? (this.error.code ?? this.error.type) : this.cut ? 'client_closed' : null,
      ...(this.attribution.tags ? { tags: this.attribution.tags } : {}),
      ...(this.details.team ? { team: this.details.team } : {}),
      ...(this.attribution.user ? { user: this.attribution.user } : {}),
    };
  }

  private write(record: UsageRecord): void {
    try {
      this.gateway.usage.record(record);
    } catch (error) {
      this.gateway.log.error(`usage record failed: ${(error as Error).message}`);
    }
    this.gateway.governance?.recorded(record, this.requester);
    const watch = this.telemetryWatch;
    this.gateway.telemetry?.called(record, this.observation, { operation: this.endpoint.operation, traceparent: watch?.traceparent, content: watch?.content?.content((text) => this.gateway.redactor.redact(text)) });
  }

  private estimate(resolved: ResolvedModel): Estimate {
    const catalog = this.gateway.catalog;
    return estimateCost({
      requestBytes: this.details.requestBytes ?? 0,
      priced: catalog.priceFor(resolved.requestedModel, resolved.upstreamModel),
      averageCostUsd: this.gateway.ledger?.rollups.averageCostUsd(resolved.upstreamModel, new Date().toISOString().slice(0, 7)),
      unpricedUsdPerRequest: this.gateway.governance?.overallBudget.unpricedUsdPerRequest,
      ceiling: () => catalog.priceCeiling(),
      modelMaxOutputTokens: () => catalog.find(resolved.requestedModel)?.maxOutputTokens,
    });
  }
}

const round = (value: number): number => Math.round(value * 100) / 100;

/** A response closed without end() (the client went away) is recorded once the route has had a
 * moment to note what it saw; routes end the response in a `finally`, which records at once. */
const CUT_RESPONSE_GRACE_MS = 2_000;

/** Starts tracking a request. The record is written synchronously when the route ends the
 * response, before the last bytes go out: a client that received a whole answer has its record
 * on disk even if the process is killed right after. */
export const trackRequest = (gateway: GatewayContext, request: Request, response: Response, endpoint: CallEndpoint): RequestTracker => {
  const requester = requesterOf(response);
  const declaredBytes = Number(request.headers['content-length']);
  // A malformed tags header is refused (400) before any model is reached: no record, nothing reserved.
  const tags = parseTagsHeader(request.headers[TAGS_HEADER], gateway.redactor);
  const tracker = new RequestTracker(gateway, endpoint, requester.name, {
    policy: requester.policy,
    team: requester.team,
    tags,
    requestBytes: Number.isFinite(declaredBytes) ? declaredBytes : 0,
  });
  response.locals.tracker = tracker;
  response.setHeader('x-request-id', tracker.requestId);
  if (gateway.telemetry) tracker.telemetryWatch = { traceparent: headerText(request.headers.traceparent), content: gateway.telemetry.watchContent?.(request, response) };
  const end = response.end.bind(response) as (...args: unknown[]) => Response;
  response.end = ((...args: unknown[]) => {
    tracker.telemetryWatch?.content?.ended(args[0], args[1]);
    tracker.finish(response.statusCode);
    return end(...args);
  }) as Response['end'];
  response.once('close', () => {
    if (response.writableEnded) return;
    tracker.clientClosed();
    setTimeout(() => tracker.finish(response.statusCode), CUT_RESPONSE_GRACE_MS).unref();
  });
  return tracker;
};

const headerText = (value: string | string[] | undefined): string | undefined => (Array.isArray(value) ? value[0] : value);

/** The local token a request came with (the token guard put it in the response's locals). */
export const requesterOf = (response: Response): Requester => {
  const client = (response.locals as { client?: LocalClient }).client;
  return { name: client?.name ?? 'unknown', policy: client?.policy, team: client?.team };
};

/** Who asks, with the request's tags (header and body), for a call that leaves no record
 * (count_tokens): it sends the prompt upstream too, so policies by tag apply to it. */
export const attributedRequesterOf = (gateway: GatewayContext, request: Request, response: Response, body: BodyAttribution): Requester => {
  const attribution = mergeAttribution(parseTagsHeader(request.headers[TAGS_HEADER], gateway.redactor), checkBodyAttribution(body, gateway.redactor));
  return { ...requesterOf(response), ...(attribution.tags ? { tags: attribution.tags } : {}) };
};

/** An AbortSignal that fires when the client goes away before the answer is complete; a tracked
 * request's comes from its tracker, which already listens for the response's close. */
export const clientGoneSignal = (response: Response): AbortSignal => {
  const tracker = response.locals.tracker as RequestTracker | undefined;
  if (tracker) return tracker.clientGoneSignal();
  const controller = new AbortController();
  response.once('close', () => {
    if (!response.writableFinished) controller.abort();
  });
  return controller.signal;
};

/** Request ids: a random prefix per process and a counter, unique without a random draw per request. */
const REQUEST_ID_PREFIX = randomBytes(8).toString('hex');
let requestCount = 0;
const nextRequestId = (): string => {
  requestCount += 1;
  return `req_${REQUEST_ID_PREFIX}${requestCount.toString(16).padStart(16, '0')}`;
};
