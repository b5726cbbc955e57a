import protobuf from 'protobufjs';

/** An OTLP/HTTP protobuf body read by a decoder of the test's own (protobufjs over the messages
 * below), not by the OpenTelemetry packages that wrote it, into the shape OTLP/JSON gives the same
 * data, so one set of assertions reads both encodings.
 *
 * Only the fields the tests read, with the field numbers of opentelemetry-proto's
 * collector/{trace,metrics}/v1 services (common/v1, resource/v1, trace/v1, metrics/v1); a decoder
 * skips the fields it does not know. */
const OTLP_MESSAGES = `
syntax = "proto3";
package otlp;

message AnyValue {
  oneof value {
    string string_value = 1;
    bool bool_value = 2;
    int64 int_value = 3;
    double double_value = 4;
    ArrayValue array_value = 5;
  }
}
message ArrayValue { repeated AnyValue values = 1; }
message KeyValue { string key = 1; AnyValue value = 2; }
message Resource { repeated KeyValue attributes = 1; }
message Scope { string name = 1; string version = 2; }

message ExportTraceServiceRequest { repeated ResourceSpans resource_spans = 1; }
message ResourceSpans { Resource resource = 1; repeated ScopeSpans scope_spans = 2; }
message ScopeSpans { Scope scope = 1; repeated Span spans = 2; }
message Span {
  bytes trace_id = 1;
  bytes span_id = 2;
  bytes parent_span_id = 4;
  string name = 5;
  int32 kind = 6;
  fixed64 start_time_unix_nano = 7;
  fixed64 end_time_unix_nano = 8;
  repeated KeyValue attributes = 9;
  Status status = 15;
}
message Status { string message = 2; int32 code = 3; }

message ExportMetricsServiceRequest { repeated ResourceMetrics resource_metrics = 1; }
message ResourceMetrics { Resource resource = 1; repeated ScopeMetrics scope_metrics = 2; }
message ScopeMetrics { Scope scope = 1; repeated Metric metrics = 2; }
message Metric {
  string name = 1;
  string description = 2;
  string unit = 3;
  oneof data { Histogram histogram = 9; }
}
message Histogram { repeated HistogramDataPoint data_points = 1; int32 aggregation_temporality = 2; }
message HistogramDataPoint {
  repeated KeyValue attributes = 9;
  fixed64 start_time_unix_nano = 2;
  fixed64 time_unix_nano = 3;
  fixed64 count = 4;
  optional double sum = 5;
  repeated fixed64 bucket_counts = 6;
  repeated double explicit_bounds = 7;
}
`;

const root = protobuf.parse(OTLP_MESSAGES).root;
const TRACES = root.lookupType('otlp.ExportTraceServiceRequest');
const METRICS = root.lookupType('otlp.ExportMetricsServiceRequest');

/** OTLP/JSON spells 64-bit integers as decimal strings and trace and span ids as hex. */
const AS_JSON: protobuf.IConversionOptions = { longs: String, bytes: String, enums: Number };
const hex = (base64: string | undefined): string | undefined => (base64 ? Buffer.from(base64, 'base64').toString('hex') : undefined);

export const decodeTraces = (body: Buffer): any => {
  const request = TRACES.toObject(TRACES.decode(body), AS_JSON);
  for (const resource of request.resourceSpans ?? [])
    for (const scope of resource.scopeSpans ?? [])
      for (const span of scope.spans ?? []) Object.assign(span, { traceId: hex(span.traceId), spanId: hex(span.spanId), parentSpanId: hex(span.parentSpanId) });
  return request;
};

export const decodeMetrics = (body: Buffer): any => METRICS.toObject(METRICS.decode(body), AS_JSON);
