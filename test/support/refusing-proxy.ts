import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** An HTTP proxy on 127.0.0.1 that forwards nothing: it records every request and CONNECT and
 * answers 403. Handed to a real tool as HTTPS_PROXY/HTTP_PROXY (with NO_PROXY=127.0.0.1), it shows
 * what the tool tried to reach besides the gateway, without letting it out. */
export class RefusingProxy {
  readonly attempts: string[] = [];
  private readonly server: Server = createServer((request, response) => {
    this.attempts.push(`${request.method} ${request.url}`);
    response.writeHead(403).end();
  });

  async start(): Promise<this> {
    this.server.on('connect', (request, socket) => {
      this.attempts.push(`CONNECT ${request.url}`);
      socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return this;
  }

  url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
