import assert from 'node:assert/strict';
import { test } from 'node:test';
import { telemetrySettingsFrom } from '../../proxy/telemetry/telemetry-settings.js';

/** Which of the standard variables turn export on, for which signal, and what else they ask. */

test('off unless an OTLP endpoint is set, whatever else is', () => {
  assert.equal(telemetrySettingsFrom({}), undefined);
  assert.equal(telemetrySettingsFrom({ OTEL_SERVICE_NAME: 'x', OTEL_EXPORTER_OTLP_HEADERS: 'a=b', OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_EXPORTER_OTLP_ENDPOINT: ' ' }), undefined);
  assert.equal(telemetrySettingsFrom({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318', OTEL_SDK_DISABLED: 'TRUE' }), undefined);
});

test('the common endpoint sends both signals; a signal endpoint or an exporter of none picks one', () => {
  const both = telemetrySettingsFrom({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' });
  assert.deepEqual([both?.traces, both?.metrics], ['http/protobuf', 'http/protobuf']);
  const traces = telemetrySettingsFrom({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://127.0.0.1:4318/v1/traces' });
  assert.deepEqual([traces?.traces, traces?.metrics], ['http/protobuf', undefined]);
  const metrics = telemetrySettingsFrom({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318', OTEL_TRACES_EXPORTER: 'none' });
  assert.deepEqual([metrics?.traces, metrics?.metrics], [undefined, 'http/protobuf']);
  assert.equal(telemetrySettingsFrom({ OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: 'http://127.0.0.1:4318/v1/metrics', OTEL_METRICS_EXPORTER: 'none' }), undefined);
});

test('content capture only on an explicit true; the metric interval is read', () => {
  const endpoint = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' };
  assert.equal(telemetrySettingsFrom(endpoint)?.captureContent, false);
  assert.equal(telemetrySettingsFrom({ ...endpoint, OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT: '1' })?.captureContent, false);
  assert.equal(telemetrySettingsFrom({ ...endpoint, OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT: 'true' })?.captureContent, true);
  assert.equal(telemetrySettingsFrom(endpoint)?.metricIntervalMs, 60_000);
  assert.equal(telemetrySettingsFrom({ ...endpoint, OTEL_METRIC_EXPORT_INTERVAL: '500' })?.metricIntervalMs, 500);
  assert.equal(telemetrySettingsFrom({ ...endpoint, OTEL_METRIC_EXPORT_INTERVAL: 'soon' })?.metricIntervalMs, 60_000);
});

test('each signal’s protocol: its own variable, else the common one, else http/protobuf; grpc refused, an unknown value reported', () => {
  const endpoint = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' };
  const protocols = (environment: Record<string, string>) => {
    const settings = telemetrySettingsFrom({ ...endpoint, ...environment })!;
    return [settings.traces, settings.metrics, settings.refused, settings.warnings.join(' | ')];
  };
  assert.deepEqual(protocols({ OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' }), ['http/json', 'http/json', undefined, '']);
  assert.deepEqual(protocols({ OTEL_EXPORTER_OTLP_PROTOCOL: ' HTTP/JSON ', OTEL_EXPORTER_OTLP_METRICS_PROTOCOL: 'http/protobuf' }), ['http/json', 'http/protobuf', undefined, '']);
  assert.deepEqual(protocols({ OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: ' ' }), ['http/json', 'http/json', undefined, ''], 'a blank variable is unset');

  const [traces, metrics, refused] = protocols({ OTEL_EXPORTER_OTLP_METRICS_PROTOCOL: 'grpc' });
  assert.deepEqual([traces, metrics], [undefined, undefined], 'nothing exported');
  assert.equal(refused, 'OTEL_EXPORTER_OTLP_METRICS_PROTOCOL=grpc is not supported; supported: http/protobuf (the default), http/json');
  assert.equal(protocols({ OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' })[2], 'OTEL_EXPORTER_OTLP_PROTOCOL=grpc is not supported; supported: http/protobuf (the default), http/json', 'said once');
  // A signal not exported does not care how it would have been sent.
  const tracesOnly = telemetrySettingsFrom({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://127.0.0.1:4318/v1/traces', OTEL_EXPORTER_OTLP_METRICS_PROTOCOL: 'grpc' });
  assert.deepEqual([tracesOnly?.traces, tracesOnly?.refused], ['http/protobuf', undefined]);

  assert.deepEqual(protocols({ OTEL_EXPORTER_OTLP_PROTOCOL: 'http/xml' }), ['http/protobuf', 'http/protobuf', undefined, 'OTEL_EXPORTER_OTLP_PROTOCOL=http/xml is not an OTLP protocol, http/protobuf is sent; supported: http/protobuf (the default), http/json']);
});

test('the collector header values are known, to be masked in the log', () => {
  const settings = telemetrySettingsFrom({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318', OTEL_EXPORTER_OTLP_HEADERS: 'authorization=Bearer%20collector-secret-1,x-team= t2 ', OTEL_EXPORTER_OTLP_TRACES_HEADERS: 'api-key=collector-secret-3' });
  assert.deepEqual(settings?.collectorSecrets, ['Bearer%20collector-secret-1', 'Bearer collector-secret-1', 't2', 't2', 'collector-secret-3', 'collector-secret-3']);
});
