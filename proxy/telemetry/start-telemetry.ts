import { Redactor, redactingLogger, type Logger } from '../logger.js';
import type { CallTelemetry } from './call-telemetry.js';
import { telemetrySettingsFrom, type TelemetrySettings } from './telemetry-settings.js';

/** The standalone gateway's OpenTelemetry export, as the environment configures it: undefined
 * (and the SDK never loaded) unless an OTLP endpoint is set. A missing SDK or a protocol it cannot
 * speak turns export off with a warning; it never stops the gateway. */
export const startTelemetry = async (environment: NodeJS.ProcessEnv, gatewayLog: Logger): Promise<CallTelemetry | undefined> => {
  const settings = telemetrySettingsFrom(environment);
  if (!settings) return undefined;
  const log = maskingCollectorSecrets(gatewayLog, settings.collectorSecrets);
  for (const warning of settings.warnings) log.warn(`OpenTelemetry: ${warning}`);
  if (settings.refused) {
    log.warn(`OpenTelemetry export is off: ${settings.refused}`);
    return undefined;
  }
  try {
    const { createOtelTelemetry } = await import('./otel-telemetry.js');
    const telemetry = await createOtelTelemetry(settings, log);
    log.info(`OpenTelemetry: exporting ${exportedSignals(settings)}${settings.captureContent ? ', with prompts and answers' : ''}`);
    return telemetry;
  } catch (error) {
    log.warn(`OpenTelemetry export is off: ${(error as Error).message}`);
    return undefined;
  }
};

/** `traces and metrics over OTLP http/protobuf`, or each signal with its own protocol. */
const exportedSignals = ({ traces, metrics }: TelemetrySettings): string => {
  const signals = Object.entries({ traces, metrics }).filter(([, protocol]) => protocol !== undefined);
  if (traces && metrics && traces !== metrics) return signals.map(([signal, protocol]) => `${signal} over OTLP ${protocol}`).join(' and ');
  return `${signals.map(([signal]) => signal).join(' and ')} over OTLP ${signals[0][1]}`;
};

/** The collector's credentials (OTEL_EXPORTER_OTLP_*HEADERS) never reach a log line. */
const maskingCollectorSecrets = (log: Logger, secrets: string[]): Logger => {
  const redactor = new Redactor();
  for (const secret of secrets) redactor.addSecret(secret);
  return redactingLogger(log, redactor);
};
