import type { Response } from 'express';
import type { AnswerFacts, TokenUsage } from '../adapters/types.js';
import { GatewayError } from '../errors.js';
import { startEventStream } from '../sse/sse-response.js';
import { isAbort } from '../upstream/http-client.js';
import type { OpenedUpstream } from '../upstream/open-upstream.js';
import type { RequestTracker } from '../usage/request-tracker.js';

/** A dialect's relay observer: re-frames the upstream's events and reads what the ledger needs. */
export interface RelayObserver {
  push(chunk: Buffer): string;
  end(): string;
  readonly usage: TokenUsage | undefined;
  /** The usage is what the stream's start said, its final count never came (a cut stream). */
  readonly usageProvisional?: boolean;
  readonly error: GatewayError | undefined;
  /** The finish reasons and model, where the observer reads them (for telemetry). */
  readonly answer?: AnswerFacts;
}

export interface EventStreamRelay {
  response: Response;
  tracker: RequestTracker;
  providerId: string;
  servedHeaders: Record<string, string>;
}

/** A same-dialect upstream's SSE to the client, each event as it completes, a slow client pausing
 * the upstream; the observer's usage and failure go to the ledger. A break after the first byte is
 * thrown for the route's error exit to write as the stream's last event. */
export const relayEventStream = async (upstream: OpenedUpstream, observer: RelayObserver, { response, tracker, providerId, servedHeaders }: EventStreamRelay): Promise<void> => {
  startEventStream(response, servedHeaders);
  let broken: GatewayError | undefined;
  try {
    await upstream.body.each((chunk) => {
      tracker.firstToken();
      const text = observer.push(chunk);
      if (text) upstream.body.relay(response, text);
    });
    const rest = observer.end();
    if (rest) response.write(rest);
  } catch (error) {
    if (!tracker.clientGone && !isAbort(error)) broken = error instanceof GatewayError ? error : GatewayError.upstreamBrokeOff(providerId, error);
  } finally {
    if (observer.usage) tracker.usage(observer.usage, observer.usageProvisional === true);
    if (observer.answer && tracker.watchesAnswers) tracker.answered(observer.answer);
    if (observer.error) tracker.failed(observer.error);
    if (!broken && !response.writableEnded) response.end();
  }
  if (broken) throw broken;
};
