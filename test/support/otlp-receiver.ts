import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeMetrics, decodeTraces } from './otlp-protobuf.js';

export interface ReceivedExport {
  path: string;
  contentType: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** The body as UTF-8 (a protobuf body's strings read as they were sent). */
  text: string;
}

/** How the receiver answers an export: by default 200 with an empty JSON body. */
export type ExportAnswer = (received: ReceivedExport) => { status: number; reason?: string; body: string };

/** An OTLP/HTTP receiver on 127.0.0.1 taking JSON and protobuf bodies: keeps every export it is
 * sent, and reads either encoding into OTLP/JSON's shape. */
export class OtlpReceiver {
  readonly exports: ReceivedExport[] = [];
  private server: Server | undefined;
  port = 0;

  constructor(private readonly answer: ExportAnswer = () => ({ status: 200, body: '{}' })) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<this> {
    this.server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const body = Buffer.concat(chunks);
        const received = { path: request.url ?? '/', contentType: String(request.headers['content-type'] ?? ''), headers: request.headers, body, text: body.toString('utf8') };
        this.exports.push(received);
        const { status, reason, body: answer } = this.answer(received);
        response.writeHead(status, reason ?? '', { 'content-type': 'application/json' });
        response.end(answer);
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  async close(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** Every span received (at /v1/traces unless said), its attributes decoded, with its resource's attributes. */
  spans(path = '/v1/traces'): ReceivedSpan[] {
    return this.bodies(path, decodeTraces).flatMap((body) =>
      (body.resourceSpans ?? []).flatMap((resource: any) =>
        (resource.scopeSpans ?? []).flatMap((scope: any) =>
          (scope.spans ?? []).map((span: any) => ({ ...span, attributes: decodeAttributes(span.attributes), resource: decodeAttributes(resource.resource?.attributes) })),
        ),
      ),
    );
  }

  /** The histogram points of one metric, from the last export that has it (cumulative temporality). */
  histogramPoints(name: string): HistogramPoint[] {
    const found = this.bodies('/v1/metrics', decodeMetrics)
      .flatMap((body) => (body.resourceMetrics ?? []).flatMap((resource: any) => (resource.scopeMetrics ?? []).flatMap((scope: any) => scope.metrics ?? [])))
      .filter((metric: any) => metric.name === name);
    const last = found.at(-1);
    return (last?.histogram?.dataPoints ?? []).map((point: any) => ({ count: Number(point.count), sum: Number(point.sum), attributes: decodeAttributes(point.attributes), unit: last.unit }));
  }

  /** The content types the exports to a path came with. */
  contentTypes(path: string): string[] {
    return [...new Set(this.exports.filter((entry) => entry.path === path).map((entry) => entry.contentType))];
  }

  private bodies(path: string, decodeProtobuf: (body: Buffer) => any): any[] {
    return this.exports.filter((entry) => entry.path === path).map((entry) => (PROTOBUF.test(entry.contentType) ? decodeProtobuf(entry.body) : JSON.parse(entry.text)));
  }
}

const PROTOBUF = /^application\/x-protobuf\b/;

export type AttributeValue = string | number | boolean | AttributeValue[];

export interface ReceivedSpan {
  name: string;
  kind: number;
  traceId: string;
  parentSpanId?: string;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  status?: { code?: number; message?: string };
  attributes: Record<string, AttributeValue>;
  resource: Record<string, AttributeValue>;
}

export interface HistogramPoint {
  count: number;
  sum: number;
  attributes: Record<string, AttributeValue>;
  unit: string;
}

const decodeValue = (value: any): AttributeValue => {
  if ('stringValue' in value) return value.stringValue;
  if ('intValue' in value) return Number(value.intValue);
  if ('doubleValue' in value) return Number(value.doubleValue);
  if ('boolValue' in value) return value.boolValue;
  if ('arrayValue' in value) return (value.arrayValue.values ?? []).map(decodeValue);
  throw new Error(`an attribute value of an unexpected kind: ${JSON.stringify(value)}`);
};

const decodeAttributes = (attributes: { key: string; value: unknown }[] | undefined): Record<string, AttributeValue> =>
  Object.fromEntries((attributes ?? []).map(({ key, value }) => [key, decodeValue(value)]));
