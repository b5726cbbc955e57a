import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the fake upstream saw of one request. */
export interface SeenRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: Buffer;
  json(): any;
}

export type FakeHandler = (request: SeenRequest, response: ServerResponse) => void | Promise<void>;

/** A programmable upstream on 127.0.0.1: routes by `METHOD /path` (path without query), records
 * every request, and serves JSON, SSE or raw bytes. Tests never reach anything else. */
export class FakeUpstream {
  readonly requests: SeenRequest[] = [];
  private readonly routes = new Map<string, FakeHandler>();
  private server: Server | undefined;
  port = 0;

  /** Base URL with a path prefix (`/v1` for OpenAI-style hosts, '' for host roots). */
  url(prefix = '/v1'): string {
    return `http://127.0.0.1:${this.port}${prefix}`;
  }

  on(route: string, handler: FakeHandler): this {
    this.routes.set(route, handler);
    return this;
  }

  async start(): Promise<this> {
    this.server = createServer((request, response) => void this.handle(request, response));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server!.address() as AddressInfo).port;
    return this;
  }

  async close(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }

  /** Sockets the gateway holds open to this upstream (its keep-alive pool included). */
  connections(): Promise<number> {
    return new Promise((resolve, reject) => {
      if (!this.server) resolve(0);
      else this.server.getConnections((error, count) => (error ? reject(error) : resolve(count)));
    });
  }

  last(): SeenRequest {
    const request = this.requests.at(-1);
    if (!request) throw new Error('the fake upstream saw no request');
    return request;
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const seen: SeenRequest = {
      method: request.method ?? 'GET',
      url: request.url ?? '/',
      headers: request.headers,
      body,
      json: () => JSON.parse(body.toString('utf8')),
    };
    this.requests.push(seen);
    const path = (request.url ?? '/').split('?')[0];
    const handler = this.routes.get(`${seen.method} ${path}`) ?? this.routes.get(`* ${path}`) ?? this.routes.get('*');
    if (!handler) {
      sendJson(response, 404, { error: { message: `fake upstream has no route for ${seen.method} ${path}`, type: 'invalid_request_error', code: null, param: null } });
      return;
    }
    try {
      await handler(seen, response);
    } catch (error) {
      if (!response.headersSent) sendJson(response, 500, { error: { message: String(error), type: 'server_error' } });
      else response.destroy();
    }
  }
}

export const sendJson = (response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void => {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  response.end(text);
};

/** Writes SSE events one by one, each in its own write, optionally with a pause between them. */
export const sendEvents = async (response: ServerResponse, events: string[], delayMs = 0): Promise<void> => {
  response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  for (const event of events) {
    if (response.destroyed) return;
    response.write(event);
    if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
  }
  response.end();
};
