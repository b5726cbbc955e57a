import type { UsageObservation, UsageRecord } from '../usage/usage-record.js';

/** Where every model call is reported once, when its ledger record is written (the standalone
 * gateway's OpenTelemetry export, when configured; nothing otherwise). Never throws into a request. */
export interface CallTelemetry {
  /** One finished call: its ledger record and what the request saw of the answer. */
  called(record: UsageRecord, observation: UsageObservation): void;
  /** Sends what is still buffered; called once, when the gateway stops. */
  shutdown(): Promise<void>;
}
