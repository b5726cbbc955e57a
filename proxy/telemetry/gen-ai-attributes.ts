import type { UsageObservation, UsageRecord } from '../usage/usage-record.js';
import type { GenAiOperation } from '../usage/call-endpoint.js';
import type { CallContent } from './call-telemetry.js';

/** Attribute values as OpenTelemetry takes them. */
export type Attributes = Record<string, string | number | boolean | string[]>;

/** One model call as a span and its metric points, in the GenAI semantic conventions' words,
 * from the ledger record (so the exported counts are the ledger's). */
export interface CallSignals {
  spanName: string;
  /** Milliseconds since the epoch. */
  startTime: number;
  endTime: number;
  spanAttributes: Attributes;
  /** The attributes every metric point of the call carries. */
  metricAttributes: Attributes;
  inputTokens: number;
  outputTokens: number;
  durationSeconds: number;
  /** Streams only, as the conventions ask. */
  timeToFirstChunkSeconds?: number;
  errorType?: string;
}

/** The conventions' well-known provider names, where ours differ; other ids go out as they are. */
const PROVIDER_NAMES: Record<string, string> = {
  gemini: 'gcp.gemini',
  mistral: 'mistral_ai',
  xai: 'x_ai',
};

export const providerName = (providerId: string): string => PROVIDER_NAMES[providerId] ?? providerId;

/** The ledger's error code, or the HTTP status of a refused call; none for a call that went well. */
const errorTypeOf = (record: UsageRecord): string | undefined => record.errorCode ?? (record.status >= 400 ? String(record.status) : undefined);

/** The ledger keeps hundredths of a millisecond: seconds to the same precision, without float noise. */
const seconds = (milliseconds: number): number => Math.round(milliseconds * 100) / 100_000;

/** The model the upstream named, else the one that served a call that was answered; none for a call that failed unanswered. */
const responseModel = (record: UsageRecord, observation: UsageObservation, errorType: string | undefined): string | undefined =>
  observation.responseModel ?? (errorType === undefined ? record.model : undefined);

// Attributes are set one by one rather than spread: this runs for every call.
export const callSignals = (record: UsageRecord, observation: UsageObservation, operation: GenAiOperation, content?: CallContent): CallSignals => {
  const errorType = errorTypeOf(record);
  const endTime = Date.parse(record.time);
  const metricAttributes: Attributes = {
    'gen_ai.operation.name': operation,
    'gen_ai.provider.name': providerName(record.provider),
    'gen_ai.request.model': record.requestedModel,
  };
  const answeredBy = responseModel(record, observation, errorType);
  if (answeredBy !== undefined) metricAttributes['gen_ai.response.model'] = answeredBy;
  if (errorType !== undefined) metricAttributes['error.type'] = errorType;
  const timeToFirstChunkSeconds = record.stream && record.timeToFirstTokenMs !== null ? seconds(record.timeToFirstTokenMs) : undefined;
  const spanAttributes: Attributes = Object.assign({}, metricAttributes);
  spanAttributes['gen_ai.usage.input_tokens'] = record.promptTokens;
  spanAttributes['gen_ai.usage.output_tokens'] = record.completionTokens;
  spanAttributes['gen_ai.usage.cache_read.input_tokens'] = record.cachedTokens;
  spanAttributes['gen_ai.usage.cache_creation.input_tokens'] = record.cacheCreationTokens;
  spanAttributes['gen_ai.usage.reasoning.output_tokens'] = record.reasoningTokens;
  if (observation.finishReasons?.length) spanAttributes['gen_ai.response.finish_reasons'] = observation.finishReasons;
  if (timeToFirstChunkSeconds !== undefined) spanAttributes['gen_ai.response.time_to_first_chunk'] = timeToFirstChunkSeconds;
  spanAttributes['http.response.status_code'] = record.status;
  spanAttributes['modapi.request_id'] = record.requestId;
  spanAttributes['modapi.client'] = record.client;
  spanAttributes['modapi.endpoint'] = record.endpoint;
  spanAttributes['modapi.stream'] = record.stream;
  spanAttributes['modapi.cost_source'] = record.costSource;
  if (record.costUsd !== null) spanAttributes['modapi.cost_usd'] = record.costUsd;
  if (content) {
    // Opt-in only: the bodies in the client's own wire format, keys masked.
    spanAttributes['modapi.request.body'] = content.request;
    spanAttributes['modapi.response.body'] = content.response;
  }
  return {
    spanName: `${operation} ${record.requestedModel}`,
    startTime: endTime - record.latencyMs,
    endTime,
    spanAttributes,
    metricAttributes,
    inputTokens: record.promptTokens,
    outputTokens: record.completionTokens,
    durationSeconds: seconds(record.latencyMs),
    timeToFirstChunkSeconds,
    errorType,
  };
};
