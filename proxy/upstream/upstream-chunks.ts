import type { Writable } from 'node:stream';
import type { Dispatcher } from 'undici';
import { WholeAnswer } from './whole-body-limit.js';
import { wholeReadFailure } from './http-client.js';

/** What an error body is read up to before the connection is given up on instead. */
const DUMP_LIMIT_BYTES = 64 * 1024;

/** An upstream answer's body as undici's parser hands it over: each chunk goes to the reader in the
 * same turn of the event loop it arrived in. undici's own body (a Readable) adds a stream, a
 * nextTick and an event per chunk between the upstream and the client, which on a stream's first
 * chunk measured as much as the rest of the gateway's work. Chunks that arrive before a reader is
 * attached (the first one usually comes with the headers) wait in a list. */
export class UpstreamChunks {
  private waiting: Buffer[] = [];
  private reader: ((chunk: Buffer) => void) | undefined;
  private outcome: { error?: Error } | undefined;
  private settle: ((error?: Error) => void) | undefined;
  private paused = false;

  constructor(
    private readonly controller: Dispatcher.DispatchController,
    /** The upstream's Content-Length, 0 when it sent none. */
    private readonly declaredLength = 0,
    /** Named in the error of a whole read that fails. */
    private readonly providerId?: string,
  ) {}

  /** From the dispatch handler: one chunk of the body. */
  deliver(chunk: Buffer): void {
    if (this.reader) this.reader(chunk);
    else this.waiting.push(chunk);
  }

  /** From the dispatch handler: the body ended, or failed (a reset, a timeout, an abort). */
  end(error?: Error): void {
    if (this.outcome) return;
    this.outcome = { error };
    this.settle?.(error);
  }

  /** Calls `onChunk` with every chunk as it arrives; settles when the body ends or fails. A throw
   * from `onChunk` aborts the upstream request and rejects. Read once. */
  each(onChunk: (chunk: Buffer) => void): Promise<void> {
    if (this.reader) return Promise.reject(new Error('An upstream body is read only once.'));
    return new Promise<void>((resolve, reject) => {
      let settled = false;
      const settle = (error?: Error) => {
        if (settled) return;
        settled = true;
        if (error) reject(error);
        else resolve();
      };
      this.reader = (chunk) => {
        if (settled) return;
        try {
          onChunk(chunk);
        } catch (error) {
          settle(error as Error);
          if (!this.outcome) this.controller.abort(error as Error);
        }
      };
      const waiting = this.waiting;
      this.waiting = [];
      for (const chunk of waiting) this.reader(chunk);
      if (this.outcome) settle(this.outcome.error);
      else this.settle = settle;
    });
  }

  /** The whole body, up to the gateway's limit for whole answers (a 502 past it, or before reading
   * when the upstream declares a longer one). */
  async bytes(): Promise<Buffer> {
    let answer: WholeAnswer;
    try {
      answer = new WholeAnswer(undefined, this.declaredLength);
    } catch (error) {
      this.controller.abort(error as Error);
      throw error;
    }
    try {
      await this.each((chunk) => answer.add(chunk));
    } catch (error) {
      throw wholeReadFailure(error, this.providerId);
    }
    return answer.bytes();
  }

  async text(): Promise<string> {
    return (await this.bytes()).toString('utf8');
  }

  /** Reads and drops the rest (a small error body keeps its connection); a large one is cut. */
  async dump(): Promise<void> {
    let read = 0;
    await this.each((chunk) => {
      read += chunk.length;
      if (read > DUMP_LIMIT_BYTES) throw new Error('An upstream body too large to read through was cut.');
    }).catch(() => undefined);
  }

  /** Writes to the client; a slow client (a full write buffer) pauses the upstream's socket until
   * it drains, rather than the answer piling up in memory. */
  relay(client: Writable, data: string | Buffer): void {
    if (client.write(data) || this.paused) return;
    // Chunks undici had already parsed still arrive while paused: one drain listener covers them all.
    this.paused = true;
    this.pause();
    client.once('drain', () => {
      this.paused = false;
      this.resume();
    });
  }

  /** Gives up on the rest of the body: the upstream request is aborted and its connection closed. */
  abort(reason: Error): void {
    if (!this.outcome) this.controller.abort(reason);
  }

  /** Backpressure: stops reading from the upstream's socket until `resume`. */
  pause(): void {
    this.controller.pause();
  }

  resume(): void {
    this.controller.resume();
  }
}
