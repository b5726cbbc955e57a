import { randomUUID } from 'node:crypto';
import type { Request, Response } from 'express';
import type { TokenUsage } from '../adapters/types.js';
import type { GatewayError } from '../errors.js';
import type { ResolvedModel } from '../providers/registry.js';
import type { GatewayContext } from '../server/gateway-context.js';
import type { LocalClient } from '../server/local-tokens.js';
import { costOf } from './cost.js';
import type { UsageObservation, UsageRecord } from './usage-record.js';

/** Follows one request from arrival to the response's close and writes its ledger record then,
 * whether it finished, failed or was cut by the client. */
export class RequestTracker {
  readonly requestId = `req_${randomUUID().replace(/-/g, '')}`;
  private readonly startedAt = performance.now();
  private firstTokenAt: number | undefined;
  private resolved: ResolvedModel | undefined;
  private stream = false;
  private error: GatewayError | undefined;
  readonly observation: UsageObservation = {};

  constructor(
    private readonly gateway: GatewayContext,
    private readonly endpoint: string,
    private readonly client: string,
  ) {}

  route(resolved: ResolvedModel, stream: boolean): void {
    this.resolved = resolved;
    this.stream = stream;
  }

  firstToken(): void {
    this.firstTokenAt ??= performance.now();
  }

  usage(usage: TokenUsage): void {
    this.observation.usage = usage;
  }

  failed(error: GatewayError): void {
    this.error = error;
  }

  /** Called once, when the response is closed. Requests that never reached a model leave no record. */
  finish(status: number): void {
    if (!this.resolved) return;
    const { provider, upstreamModel, requestedModel } = this.resolved;
    const usage = this.observation.usage;
    const price = this.gateway.catalog.priceFor(requestedModel, upstreamModel);
    const cost = costOf(this.observation, price?.price);
    const record: UsageRecord = {
      time: new Date().toISOString(),
      requestId: this.requestId,
      client: this.client,
      endpoint: this.endpoint,
      provider: provider.id,
      model: upstreamModel,
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
      latencyMs: round(performance.now() - this.startedAt),
      timeToFirstTokenMs: this.firstTokenAt === undefined ? null : round(this.firstTokenAt - this.startedAt),
      errorCode: this.error ? (this.error.code ?? this.error.type) : null,
    };
    try {
      this.gateway.usage.record(record);
    } catch (error) {
      this.gateway.log.error(`usage record failed: ${(error as Error).message}`);
    }
  }
}

const round = (value: number): number => Math.round(value * 100) / 100;

/** Starts tracking a request; the record is written when the response closes. */
export const trackRequest = (gateway: GatewayContext, _request: Request, response: Response, endpoint: string): RequestTracker => {
  const client = (response.locals as { client?: LocalClient }).client?.name ?? 'unknown';
  const tracker = new RequestTracker(gateway, endpoint, client);
  response.locals.tracker = tracker;
  response.setHeader('x-request-id', tracker.requestId);
  response.once('close', () => tracker.finish(response.statusCode));
  return tracker;
};

/** An AbortSignal that fires when the client goes away before the answer is complete. */
export const clientGoneSignal = (response: Response): AbortSignal => {
  const controller = new AbortController();
  response.once('close', () => {
    if (!response.writableFinished) controller.abort();
  });
  return controller.signal;
};
