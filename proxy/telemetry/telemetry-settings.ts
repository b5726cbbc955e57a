/** What the standard OpenTelemetry variables ask of the gateway. The exporters read the rest of
 * them themselves (headers, timeouts, compression, certificates, OTEL_BSP_*), as the spec says. */
export interface TelemetrySettings {
  traces: boolean;
  metrics: boolean;
  /** Prompts and answers on spans: off unless OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true. */
  captureContent: boolean;
  /** OTEL_METRIC_EXPORT_INTERVAL (60 s by default). */
  metricIntervalMs: number;
  /** Said once at start when a variable asks for something this build does not do. */
  warnings: string[];
  /** The header values sent to the collector (its credentials): masked in anything logged. */
  collectorSecrets: string[];
}

const DEFAULT_METRIC_INTERVAL_MS = 60_000;
/** The installed exporters speak OTLP over HTTP with JSON bodies. */
const SUPPORTED_PROTOCOL = 'http/json';

const isSet = (value: string | undefined): boolean => value !== undefined && value.trim() !== '';
const isTrue = (value: string | undefined): boolean => value?.trim().toLowerCase() === 'true';
const isNone = (value: string | undefined): boolean => value?.split(',').some((name) => name.trim() === 'none') ?? false;

/** Undefined (export off, nothing loaded) unless an OTLP endpoint is set and the SDK is not disabled. */
export const telemetrySettingsFrom = (environment: NodeJS.ProcessEnv): TelemetrySettings | undefined => {
  if (isTrue(environment.OTEL_SDK_DISABLED)) return undefined;
  const common = isSet(environment.OTEL_EXPORTER_OTLP_ENDPOINT);
  const traces = (common || isSet(environment.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT)) && !isNone(environment.OTEL_TRACES_EXPORTER);
  const metrics = (common || isSet(environment.OTEL_EXPORTER_OTLP_METRICS_ENDPOINT)) && !isNone(environment.OTEL_METRICS_EXPORTER);
  if (!traces && !metrics) return undefined;
  const warnings: string[] = [];
  for (const name of ['OTEL_EXPORTER_OTLP_PROTOCOL', 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL', 'OTEL_EXPORTER_OTLP_METRICS_PROTOCOL']) {
    const protocol = environment[name]?.trim();
    if (protocol && protocol !== SUPPORTED_PROTOCOL) warnings.push(`${name}=${protocol} is not supported: OpenTelemetry data is sent as ${SUPPORTED_PROTOCOL}`);
  }
  const interval = Number(environment.OTEL_METRIC_EXPORT_INTERVAL);
  return {
    traces,
    metrics,
    captureContent: isTrue(environment.OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT),
    metricIntervalMs: Number.isFinite(interval) && interval > 0 ? interval : DEFAULT_METRIC_INTERVAL_MS,
    warnings,
    collectorSecrets: HEADER_VARIABLES.flatMap((name) => headerValues(environment[name])),
  };
};

const HEADER_VARIABLES = ['OTEL_EXPORTER_OTLP_HEADERS', 'OTEL_EXPORTER_OTLP_TRACES_HEADERS', 'OTEL_EXPORTER_OTLP_METRICS_HEADERS'];

/** `key1=value1,key2=value2`, values percent-encoded (the spec's format). */
const headerValues = (headers: string | undefined): string[] =>
  (headers ?? '').split(',').flatMap((pair) => {
    const value = pair.slice(pair.indexOf('=') + 1).trim();
    if (!pair.includes('=') || !value) return [];
    try {
      return [value, decodeURIComponent(value)];
    } catch {
      return [value];
    }
  });
