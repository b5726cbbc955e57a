import type { DiagLogger, Histogram, SpanContext } from '@opentelemetry/api';
import type { PushMetricExporter } from '@opentelemetry/sdk-metrics';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import type { Logger } from '../logger.js';
import type { UsageObservation, UsageRecord } from '../usage/usage-record.js';
import type { CallContext, CallTelemetry } from './call-telemetry.js';
import { ContentCapture } from './content-capture.js';
import { callSignals, type Attributes, type CallSignals } from './gen-ai-attributes.js';
import type { OtlpProtocol, TelemetrySettings } from './telemetry-settings.js';

const SERVICE_NAME = 'modapi-gateway';
/** The bucket boundaries the GenAI conventions advise for these two histograms. */
const TOKEN_BUCKETS = [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864];
const DURATION_BUCKETS = [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92];
/** Shutdown sends what is buffered, but never holds the gateway's exit for long (the CLI forces
 * its exit 5 s after a signal, 3 s of which go to requests in flight). */
const SHUTDOWN_WAIT_MS = 1_500;
/** A collector that is down fails every export: its warning is printed once a minute at most. */
const WARNING_INTERVAL_MS = 60_000;
const SPAN_KIND_CLIENT = 2;
const STATUS_ERROR = 2;

/** The OTLP/HTTP exporters, one package per encoding: only the one a signal is sent with is loaded.
 * Each reads the rest of its OTEL_EXPORTER_OTLP_* variables itself (endpoint, headers, timeout). */
const SPAN_EXPORTERS: Record<OtlpProtocol, () => Promise<{ OTLPTraceExporter: new () => SpanExporter }>> = {
  'http/protobuf': () => import('@opentelemetry/exporter-trace-otlp-proto'),
  'http/json': () => import('@opentelemetry/exporter-trace-otlp-http'),
};
const METRIC_EXPORTERS: Record<OtlpProtocol, () => Promise<{ OTLPMetricExporter: new () => PushMetricExporter }>> = {
  'http/protobuf': () => import('@opentelemetry/exporter-metrics-otlp-proto'),
  'http/json': () => import('@opentelemetry/exporter-metrics-otlp-http'),
};

/** The OpenTelemetry SDK, loaded here only (this module itself is imported only when export is
 * configured): spans go through a batch processor, metrics through a periodic reader, both OTLP
 * over HTTP in the encoding the OTEL_EXPORTER_OTLP_*PROTOCOL variables say. */
export const createOtelTelemetry = async (settings: TelemetrySettings, log: Logger): Promise<CallTelemetry> => {
  const [api, { detectResources, envDetector, resourceFromAttributes }, traceSdk, metricsSdk, spanExporterPackage, metricExporterPackage] = await Promise.all([
    import('@opentelemetry/api'),
    import('@opentelemetry/resources'),
    import('@opentelemetry/sdk-trace-base'),
    import('@opentelemetry/sdk-metrics'),
    settings.traces && SPAN_EXPORTERS[settings.traces](),
    settings.metrics && METRIC_EXPORTERS[settings.metrics](),
  ]);
  // Before the exporters exist: they report a bad variable as they read it.
  api.diag.setLogger(exportWarnings(log), api.DiagLogLevel.WARN);
  const spanExporter = spanExporterPackage && new spanExporterPackage.OTLPTraceExporter();
  const metricExporter = metricExporterPackage && new metricExporterPackage.OTLPMetricExporter();
  // OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES win over the default service name.
  const resource = resourceFromAttributes({ 'service.name': SERVICE_NAME }).merge(detectResources({ detectors: [envDetector] }));
  const tracerProvider = spanExporter ? new traceSdk.BasicTracerProvider({ resource, spanProcessors: [new traceSdk.BatchSpanProcessor(spanExporter)] }) : undefined;
  const meterProvider = metricExporter
    ? new metricsSdk.MeterProvider({ resource, readers: [new metricsSdk.PeriodicExportingMetricReader({ exporter: metricExporter, exportIntervalMillis: settings.metricIntervalMs })] })
    : undefined;
  const tracer = tracerProvider?.getTracer(SERVICE_NAME);
  const meter = meterProvider?.getMeter(SERVICE_NAME);
  const histograms = meter && {
    tokens: meter.createHistogram('gen_ai.client.token.usage', { unit: '{token}', description: 'Number of input and output tokens used', advice: { explicitBucketBoundaries: TOKEN_BUCKETS } }),
    duration: meter.createHistogram('gen_ai.client.operation.duration', { unit: 's', description: 'GenAI operation duration', advice: { explicitBucketBoundaries: DURATION_BUCKETS } }),
    firstChunk: meter.createHistogram('gen_ai.client.operation.time_to_first_chunk', { unit: 's', description: 'Time to receive the first chunk of a streamed answer', advice: { explicitBucketBoundaries: DURATION_BUCKETS } }),
  };
  const recordMetrics = (signals: CallSignals, counted: boolean, metrics: NonNullable<typeof histograms>): void => {
    metrics.duration.record(signals.durationSeconds, signals.metricAttributes);
    if (signals.timeToFirstChunkSeconds !== undefined) metrics.firstChunk.record(signals.timeToFirstChunkSeconds, signals.metricAttributes);
    // A call that never learnt its usage (refused, failed before any answer) counts no tokens.
    if (counted) recordTokens(metrics.tokens, signals.inputTokens, signals.outputTokens, signals.metricAttributes);
  };
  const exportCall = (record: UsageRecord, observation: UsageObservation, context: CallContext): void => {
    const signals = callSignals(record, observation, context.operation, context.content);
    if (tracer) {
      const parent = remoteParent(context.traceparent);
      const parentContext = parent ? api.trace.setSpanContext(api.ROOT_CONTEXT, parent) : api.ROOT_CONTEXT;
      const span = tracer.startSpan(signals.spanName, { kind: SPAN_KIND_CLIENT, startTime: signals.startTime, attributes: signals.spanAttributes }, parentContext);
      if (signals.errorType !== undefined) span.setStatus({ code: STATUS_ERROR, message: signals.errorType });
      span.end(signals.endTime);
    }
    if (histograms) recordMetrics(signals, observation.usage !== undefined, histograms);
  };
  // Calls are exported after the event loop's turn, never between a response's last write and
  // its end: the span and metric points (tens of microseconds) stay off the client's latency.
  const pending: [UsageRecord, UsageObservation, CallContext][] = [];
  const drain = (): void => {
    for (const [record, observation, context] of pending.splice(0)) {
      try {
        exportCall(record, observation, context);
      } catch (error) {
        log.warn(`OpenTelemetry: a call was not exported: ${(error as Error).message}`);
      }
    }
  };
  return {
    ...(settings.captureContent ? { watchContent: (request, response) => new ContentCapture(request, response) } : {}),
    called: (record, observation, context) => {
      if (pending.push([record, observation, context]) === 1) setImmediate(drain);
    },
    shutdown: async () => {
      drain();
      const done = Promise.allSettled([tracerProvider?.shutdown(), meterProvider?.shutdown()]);
      await Promise.race([done, new Promise((resolve) => setTimeout(resolve, SHUTDOWN_WAIT_MS).unref())]);
    },
  };
};

/** The SDK's own warnings and errors (a collector that refuses or is away), on the gateway's log. */
const exportWarnings = (log: Logger): DiagLogger => {
  let lastAt = -Infinity;
  const warn = (message: string, ...args: unknown[]): void => {
    const now = performance.now();
    if (now - lastAt < WARNING_INTERVAL_MS) return;
    lastAt = now;
    log.warn(`OpenTelemetry: ${[message, ...args.map((arg) => (arg instanceof Error ? arg.message : String(arg)))].join(' ')}`);
  };
  const quiet = (): void => undefined;
  return { error: warn, warn, info: quiet, debug: quiet, verbose: quiet };
};

/** W3C trace context: version 00, a trace id, a parent span id, flags (neither id all zeros). */
const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/** The client's span the call's span hangs under, from its `traceparent` header; none if absent or malformed. */
const remoteParent = (traceparent: string | undefined): SpanContext | undefined => {
  const match = traceparent ? TRACEPARENT.exec(traceparent.trim()) : null;
  if (!match || /^0+$/.test(match[1]) || /^0+$/.test(match[2])) return undefined;
  return { traceId: match[1], spanId: match[2], traceFlags: parseInt(match[3], 16), isRemote: true };
};

const recordTokens = (histogram: Histogram, input: number, output: number, attributes: Attributes): void => {
  histogram.record(input, { ...attributes, 'gen_ai.token.type': 'input' });
  histogram.record(output, { ...attributes, 'gen_ai.token.type': 'output' });
};
