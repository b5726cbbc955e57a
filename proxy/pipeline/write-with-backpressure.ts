import type { Writable } from 'node:stream';

/** Writes to a client; when its buffer is full, the returned promise settles once it drains (or the
 * client goes), so a slow reader slows the upstream instead of the answer piling up in memory.
 * `undefined` when there is nothing to wait for, so the hot path makes no promise. One listener pair
 * per wait, removed when it settles. */
export const writeWithBackpressure = (client: Writable, data: string | Buffer): Promise<void> | undefined => {
  if (client.write(data)) return undefined;
  return new Promise<void>((resolve) => {
    const settle = () => {
      client.off('drain', settle);
      client.off('close', settle);
      resolve();
    };
    client.on('drain', settle);
    client.on('close', settle);
  });
};
