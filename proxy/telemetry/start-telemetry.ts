import { Redactor, redactingLogger, type Logger } from '../logger.js';
import type { CallTelemetry } from './call-telemetry.js';
import { telemetrySettingsFrom } from './telemetry-settings.js';

/** The standalone gateway's OpenTelemetry export, as the environment configures it: undefined
 * (and the SDK never loaded) unless an OTLP endpoint is set. A missing SDK or a bad setting turns
 * export off with a warning; it never stops the gateway. */
export const startTelemetry = async (environment: NodeJS.ProcessEnv, gatewayLog: Logger): Promise<CallTelemetry | undefined> => {
  const settings = telemetrySettingsFrom(environment);
  if (!settings) return undefined;
  const log = maskingCollectorSecrets(gatewayLog, settings.collectorSecrets);
  for (const warning of settings.warnings) log.warn(`OpenTelemetry: ${warning}`);
  try {
    const { createOtelTelemetry } = await import('./otel-telemetry.js');
    const telemetry = await createOtelTelemetry(settings, log);
    const signals = [settings.traces ? 'traces' : '', settings.metrics ? 'metrics' : ''].filter(Boolean).join(' and ');
    log.info(`OpenTelemetry: exporting ${signals} over OTLP/HTTP${settings.captureContent ? ', with prompts and answers' : ''}`);
    return telemetry;
  } catch (error) {
    log.warn(`OpenTelemetry export is off: ${(error as Error).message}`);
    return undefined;
  }
};

/** The collector's credentials (OTEL_EXPORTER_OTLP_*HEADERS) never reach a log line. */
const maskingCollectorSecrets = (log: Logger, secrets: string[]): Logger => {
  const redactor = new Redactor();
  for (const secret of secrets) redactor.addSecret(secret);
  return redactingLogger(log, redactor);
};
