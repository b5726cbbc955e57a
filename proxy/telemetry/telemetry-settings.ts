/** What the standard OpenTelemetry variables ask of the gateway. The exporters read the rest of
 * them themselves (headers, timeouts, compression, certificates, OTEL_BSP_*), as the spec says. */
export interface TelemetrySettings {
  /** How spans are sent; undefined when they are not. */
  traces?: OtlpProtocol;
  /** How metrics are sent; undefined when they are not. */
  metrics?: OtlpProtocol;
  /** Prompts and answers on spans: off unless OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true. */
  captureContent: boolean;
  /** OTEL_METRIC_EXPORT_INTERVAL (60 s by default). */
  metricIntervalMs: number;
  /** Said once at start when a variable asks for something this build does not do. */
  warnings: string[];
  /** Why nothing is exported though an endpoint is set: a protocol this build cannot speak. */
  refused?: string;
  /** The header values sent to the collector (its credentials): masked in anything logged. */
  collectorSecrets: string[];
}

/** The OTLP encodings the gateway sends over HTTP. The spec's default comes first: an exporter
 * given no protocol sends protobuf, as the OpenTelemetry SDKs do. */
const OTLP_PROTOCOLS = ['http/protobuf', 'http/json'] as const;
export type OtlpProtocol = (typeof OTLP_PROTOCOLS)[number];
const DEFAULT_PROTOCOL: OtlpProtocol = OTLP_PROTOCOLS[0];
const SUPPORTED = `supported: ${OTLP_PROTOCOLS[0]} (the default), ${OTLP_PROTOCOLS[1]}`;

const DEFAULT_METRIC_INTERVAL_MS = 60_000;

const isSet = (value: string | undefined): boolean => value !== undefined && value.trim() !== '';
const isTrue = (value: string | undefined): boolean => value?.trim().toLowerCase() === 'true';
const isNone = (value: string | undefined): boolean => value?.split(',').some((name) => name.trim() === 'none') ?? false;
const isOtlpProtocol = (value: string): value is OtlpProtocol => (OTLP_PROTOCOLS as readonly string[]).includes(value);

type ProtocolChoice = { protocol: OtlpProtocol; warning?: string } | { refused: string };

/** One signal's protocol: its own variable, else the common one, else the default. A protocol the
 * spec names but this build lacks (grpc) is refused; a value the spec does not know is reported
 * and the default used, as the spec asks of an unknown enum value. */
const protocolFor = (environment: NodeJS.ProcessEnv, signal: 'TRACES' | 'METRICS'): ProtocolChoice => {
  const name = [`OTEL_EXPORTER_OTLP_${signal}_PROTOCOL`, 'OTEL_EXPORTER_OTLP_PROTOCOL'].find((candidate) => isSet(environment[candidate]));
  if (!name) return { protocol: DEFAULT_PROTOCOL };
  const value = environment[name]!.trim().toLowerCase();
  if (isOtlpProtocol(value)) return { protocol: value };
  if (value === 'grpc') return { refused: `${name}=grpc is not supported; ${SUPPORTED}` };
  return { protocol: DEFAULT_PROTOCOL, warning: `${name}=${value} is not an OTLP protocol, ${DEFAULT_PROTOCOL} is sent; ${SUPPORTED}` };
};

/** Undefined (export off, nothing loaded) unless an OTLP endpoint is set and the SDK is not disabled. */
export const telemetrySettingsFrom = (environment: NodeJS.ProcessEnv): TelemetrySettings | undefined => {
  if (isTrue(environment.OTEL_SDK_DISABLED)) return undefined;
  const common = isSet(environment.OTEL_EXPORTER_OTLP_ENDPOINT);
  const traces = (common || isSet(environment.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT)) && !isNone(environment.OTEL_TRACES_EXPORTER);
  const metrics = (common || isSet(environment.OTEL_EXPORTER_OTLP_METRICS_ENDPOINT)) && !isNone(environment.OTEL_METRICS_EXPORTER);
  if (!traces && !metrics) return undefined;
  // A signal that is not exported does not care how it would have been sent.
  const tracesChoice = traces ? protocolFor(environment, 'TRACES') : undefined;
  const metricsChoice = metrics ? protocolFor(environment, 'METRICS') : undefined;
  const choices = [tracesChoice, metricsChoice].filter((choice) => choice !== undefined);
  const refusals = choices.flatMap((choice) => ('refused' in choice ? [choice.refused] : []));
  const interval = Number(environment.OTEL_METRIC_EXPORT_INTERVAL);
  return {
    ...(refusals.length > 0
      ? { refused: [...new Set(refusals)].join('; ') }
      : { traces: chosenProtocol(tracesChoice), metrics: chosenProtocol(metricsChoice) }),
    captureContent: isTrue(environment.OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT),
    metricIntervalMs: Number.isFinite(interval) && interval > 0 ? interval : DEFAULT_METRIC_INTERVAL_MS,
    warnings: [...new Set(choices.flatMap((choice) => ('warning' in choice && choice.warning ? [choice.warning] : [])))],
    collectorSecrets: HEADER_VARIABLES.flatMap((name) => headerValues(environment[name])),
  };
};

const chosenProtocol = (choice: ProtocolChoice | undefined): OtlpProtocol | undefined => (choice && 'protocol' in choice ? choice.protocol : undefined);

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
