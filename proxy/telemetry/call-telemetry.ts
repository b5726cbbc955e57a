import type { IncomingMessage, ServerResponse } from 'node:http';
import type { UsageObservation, UsageRecord } from '../usage/usage-record.js';
import type { GenAiOperation } from '../usage/call-endpoint.js';

/** What a captured call carried: its bodies as the client sent and received them. */
export interface CallContent {
  request: string;
  response: string;
}

/** Keeps one call's bodies while it runs (content capture only). */
export interface ContentWatch {
  /** The last bytes, given to `end()`. */
  ended(chunk: unknown, encoding?: unknown): void;
  /** Both bodies as text, with keys and tokens masked. */
  content(redact: (text: string) => string): CallContent;
}

/** What the HTTP request gave telemetry besides the ledger's record. */
export interface CallContext {
  /** The call's operation, as its route declared it. */
  operation: GenAiOperation;
  /** The client's W3C `traceparent` header: the call's span joins the client's trace. */
  traceparent?: string;
  /** The call's bodies, when content is captured. */
  content?: CallContent;
}

/** Where every model call is reported once, when its ledger record is written (the standalone
 * gateway's OpenTelemetry export, when configured; nothing otherwise). Never throws into a request. */
export interface CallTelemetry {
  /** Present only when prompts and answers go on spans (OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true). */
  watchContent?(request: IncomingMessage, response: ServerResponse): ContentWatch;
  /** One finished call: its ledger record, what the request saw of the answer, and its context. */
  called(record: UsageRecord, observation: UsageObservation, context: CallContext): void;
  /** Sends what is still buffered; called once, when the gateway stops. */
  shutdown(): Promise<void>;
}
