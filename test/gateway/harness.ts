import { request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';
import type { Socket } from 'node:net';
import busboy from 'busboy';
import OpenAI from 'openai';
import type { GatewayOptions, RunningGateway } from '../../proxy/server/gateway-server.js';
import { FakeUpstream, type SeenRequest } from '../support/fake-upstream.js';
import { startTestGateway, TEST_KEY, TEST_TOKEN } from '../support/gateway.js';

/** A gateway in front of one fake OpenAI-compatible upstream (the default provider), and an
 * official `openai` client pointed at the gateway. */
export interface Harness {
  upstream: FakeUpstream;
  gateway: RunningGateway;
  client: OpenAI;
  sockets: SocketWatch;
  close(): Promise<void>;
}

export const startHarness = async (upstream: FakeUpstream, options: Partial<GatewayOptions> = {}): Promise<Harness> => {
  if (upstream.port === 0) await upstream.start();
  const gateway = await startTestGateway({ providers: { modapi: { baseUrl: upstream.url(), apiKey: TEST_KEY } }, ...options });
  const client = new OpenAI({ baseURL: gateway.url, apiKey: TEST_TOKEN, maxRetries: 0 });
  return {
    upstream,
    gateway,
    client,
    sockets: watchSockets(gateway.server),
    close: async () => {
      await gateway.close();
      await upstream.close();
    },
  };
};

export interface RawAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  text: string;
  /** The client side's port, to find this request's socket on the gateway. */
  localPort: number;
  json(): any;
}

export interface RawRequest {
  method?: string;
  path: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

/** One request over a fresh connection (no keep-alive pool), as curl would send it. */
export const rawRequest = (port: number, options: RawRequest): Promise<RawAnswer> =>
  new Promise((resolve, reject) => {
    const outgoing = httpRequest(
      { host: '127.0.0.1', port, method: options.method ?? 'GET', path: options.path, headers: { connection: 'close', ...options.headers }, agent: false },
      (incoming) => {
        const chunks: Buffer[] = [];
        incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
        incoming.on('error', reject);
        incoming.on('end', () => {
          const body = Buffer.concat(chunks);
          const text = body.toString('utf8');
          resolve({ status: incoming.statusCode ?? 0, headers: incoming.headers, body, text, localPort: incoming.socket.localPort ?? 0, json: () => JSON.parse(text) });
        });
      },
    );
    outgoing.on('error', reject);
    outgoing.end(options.body);
  });

export const authorized = (headers: Record<string, string> = {}): Record<string, string> => ({ authorization: `Bearer ${TEST_TOKEN}`, ...headers });

export const jsonHeaders = (headers: Record<string, string> = {}): Record<string, string> => authorized({ 'content-type': 'application/json', ...headers });

/** Waits (bounded) for a condition that becomes true on its own shortly, such as a socket closing. */
export const eventually = async (condition: () => boolean | Promise<boolean>, what: string, limitMs = 3_000): Promise<void> => {
  const deadline = Date.now() + limitMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`gave up waiting: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
};

/** A promise with its resolver, for handing control between the fake upstream and a test. */
export const signal = <T = void>(): { promise: Promise<T>; resolve(value: T): void } => {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((done) => {
    resolve = done;
  });
  return { promise, resolve };
};

export const openConnections = (gateway: RunningGateway): Promise<number> =>
  new Promise((resolve, reject) => gateway.server.getConnections((error, count) => (error ? reject(error) : resolve(count))));

export interface SeenMultipart {
  fields: Record<string, string>;
  files: { field: string; filename: string; mimeType: string; data: Buffer }[];
}

/** Reads a multipart body the fake upstream received (busboy, as the gateway does). */
export const parseSeenMultipart = (request: SeenRequest): Promise<SeenMultipart> =>
  new Promise((resolve, reject) => {
    const seen: SeenMultipart = { fields: {}, files: [] };
    const parser = busboy({ headers: request.headers });
    parser.on('field', (name, value) => {
      seen.fields[name] = value;
    });
    parser.on('file', (field, stream, info) => {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => seen.files.push({ field, filename: info.filename ?? '', mimeType: info.mimeType, data: Buffer.concat(chunks) }));
    });
    parser.on('error', reject);
    parser.on('close', () => resolve(seen));
    parser.end(request.body);
  });

export interface SocketWatch {
  /** Sockets still connected. */
  open(): number;
  /** Sockets with a request whose response has not ended: a request left hanging. An idle
   * keep-alive socket of a client's pool is not busy. */
  busy(): number;
  /** Whether the socket from this client port is still open. */
  isOpen(clientPort: number): boolean;
}

/** Follows the gateway's client sockets, to prove no request leaves one held open. */
export const watchSockets = (server: Server): SocketWatch => {
  const sockets = new Map<Socket, number>();
  server.on('connection', (socket: Socket) => {
    sockets.set(socket, 0);
    socket.once('close', () => sockets.delete(socket));
  });
  server.on('request', (request, response) => {
    const socket = request.socket;
    sockets.set(socket, (sockets.get(socket) ?? 0) + 1);
    response.once('close', () => {
      if (sockets.has(socket)) sockets.set(socket, (sockets.get(socket) ?? 1) - 1);
    });
  });
  return {
    open: () => sockets.size,
    busy: () => [...sockets.values()].filter((pending) => pending > 0).length,
    isOpen: (clientPort) => [...sockets.keys()].some((socket) => socket.remotePort === clientPort),
  };
};
