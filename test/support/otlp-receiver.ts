import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** An OTLP/HTTP receiver on 127.0.0.1 (JSON bodies): keeps every export it is sent. */
export class OtlpReceiver {
  readonly exports: { path: string; contentType: string; text: string }[] = [];
  private server: Server | undefined;
  port = 0;

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<this> {
    this.server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        this.exports.push({ path: request.url ?? '/', contentType: String(request.headers['content-type'] ?? ''), text: Buffer.concat(chunks).toString('utf8') });
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end('{}');
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

  /** Every span received, its attributes decoded, with its resource's attributes. */
  spans(): ReceivedSpan[] {
    return this.bodies('/v1/traces').flatMap((body) =>
      (body.resourceSpans ?? []).flatMap((resource: any) =>
        (resource.scopeSpans ?? []).flatMap((scope: any) =>
          (scope.spans ?? []).map((span: any) => ({ ...span, attributes: decodeAttributes(span.attributes), resource: decodeAttributes(resource.resource?.attributes) })),
        ),
      ),
    );
  }

  /** The histogram points of one metric, from the last export that has it (cumulative temporality). */
  histogramPoints(name: string): HistogramPoint[] {
    const found = this.bodies('/v1/metrics')
      .flatMap((body) => (body.resourceMetrics ?? []).flatMap((resource: any) => (resource.scopeMetrics ?? []).flatMap((scope: any) => scope.metrics ?? [])))
      .filter((metric: any) => metric.name === name);
    const last = found.at(-1);
    return (last?.histogram?.dataPoints ?? []).map((point: any) => ({ count: Number(point.count), sum: Number(point.sum), attributes: decodeAttributes(point.attributes), unit: last.unit }));
  }

  private bodies(path: string): any[] {
    return this.exports.filter((entry) => entry.path === path).map((entry) => JSON.parse(entry.text));
  }
}

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
