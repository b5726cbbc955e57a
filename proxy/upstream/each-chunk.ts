import type { Readable } from 'node:stream';

/** Calls `onChunk` with each chunk of a body as it arrives; settles when the body ends, fails or is
 * cut. Event listeners rather than `for await`: the async iterator's machinery (a generator, a
 * promise per chunk, end-of-stream tracking) sits between the upstream's first chunk and the client. */
export const eachChunk = (body: Readable, onChunk: (chunk: Buffer) => void): Promise<void> =>
  new Promise((resolve, reject) => {
    const settle = (outcome: () => void) => {
      body.off('data', onData);
      body.off('end', onEnd);
      body.off('error', onError);
      body.off('close', onClose);
      outcome();
    };
    const onData = (chunk: Buffer) => {
      try {
        onChunk(chunk);
      } catch (error) {
        settle(() => reject(error));
        body.destroy();
      }
    };
    const onEnd = () => settle(resolve);
    const onError = (error: Error) => settle(() => reject(error));
    // Closed without end or error (destroyed without a reason): as `for await` does, a premature close.
    const onClose = () => settle(() => reject(Object.assign(new Error('Premature close'), { code: 'ERR_STREAM_PREMATURE_CLOSE' })));
    body.on('data', onData);
    body.on('end', onEnd);
    body.on('error', onError);
    body.on('close', onClose);
  });
