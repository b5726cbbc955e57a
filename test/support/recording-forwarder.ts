import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request exactly as a client sent it, before the gateway read it. */
export interface ClientRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
  json(): any;
  /** The gateway's status and headers, once it answered. */
  answer?: { status: number; headers: IncomingHttpHeaders };
}

/** A pass-through on 127.0.0.1 between a real client and the gateway: it keeps each request's
 * bytes, forwards them unchanged (but for Host, which must name the gateway) and streams the
 * answer back, so a test can assert on what the
 * client itself sent. */
export interface RecordingForwarder {
  /** Base URL with a path prefix (`/v1`), pointing at the forwarder. */
  url(prefix?: string): string;
  readonly requests: ClientRequest[];
  close(): Promise<void>;
}

export const startRecordingForwarder = async (targetPort: number): Promise<RecordingForwarder> => {
  const requests: ClientRequest[] = [];
  const server: Server = createServer(async (incoming, outgoing) => {
    const chunks: Buffer[] = [];
    for await (const chunk of incoming) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const seen: ClientRequest = { method: incoming.method ?? 'GET', url: incoming.url ?? '/', headers: incoming.headers, body, json: () => JSON.parse(body.toString('utf8')) };
    requests.push(seen);
    const forwarded = httpRequest({ host: '127.0.0.1', port: targetPort, method: incoming.method, path: incoming.url, headers: { ...incoming.headers, host: `127.0.0.1:${targetPort}` } }, (answer) => {
      seen.answer = { status: answer.statusCode ?? 0, headers: answer.headers };
      outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(outgoing);
    });
    forwarded.on('error', () => outgoing.destroy());
    forwarded.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: (prefix = '/v1') => `http://127.0.0.1:${port}${prefix}`,
    requests,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
};

/** A proxy on 127.0.0.1 that refuses everything and notes where the client tried to go. Given to
 * a client as its HTTP(S)_PROXY with loopback exempted, it shows any connection the client tries
 * to make to the outside (telemetry, update checks, plugin downloads), and lets none through. */
export interface RefusingProxy {
  url: string;
  /** `host:port` of each CONNECT, or the absolute URL of each plain request. */
  readonly attempts: string[];
  close(): Promise<void>;
}

export const startRefusingProxy = async (): Promise<RefusingProxy> => {
  const attempts: string[] = [];
  const server = createServer((request, response) => {
    attempts.push(request.url ?? '');
    response.writeHead(403).end();
  });
  server.on('connect', (request, socket) => {
    attempts.push(request.url ?? '');
    socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    attempts,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
};
