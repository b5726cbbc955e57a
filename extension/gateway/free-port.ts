import { createServer } from 'node:net';

/** A port free on 127.0.0.1 right now, for the "Use a Free Port" choice (a fixed number, so
 * tools configured with it keep working after restarts). */
export const findFreePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
