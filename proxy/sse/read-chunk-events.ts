import { StringDecoder } from 'node:string_decoder';
import type { EventSourceMessage } from 'eventsource-parser';
import { createBoundedParser } from './bounded-parser.js';
import type { UpstreamChunks } from '../upstream/upstream-chunks.js';

/** Events not yet taken past which the upstream's socket is paused (backpressure). */
const HIGH_WATER_EVENTS = 64;
/** What is read and dropped after a reader stops early, so the connection can be kept. */
const DRAIN_LIMIT_BYTES = 64 * 1024;
const DRAIN_LIMIT_MS = 1_000;

/** Reads a server-sent-event body as it arrives, one event at a time (eventsource-parser does the
 * framing); every adapter that decodes a stream into parts uses it. The body comes chunk by chunk
 * from undici's dispatch callbacks (upstream/upstream-chunks.ts): each chunk is parsed in the turn
 * it arrives in and its events wait in a list, where a Readable's iterator added a stream, a
 * nextTick and an event per chunk to every translated stream's chunk delay. The reader waits only
 * when nothing is pending; with too much pending, the upstream's socket is paused until the reader
 * catches up. */
export async function* readChunkEvents(body: UpstreamChunks): AsyncGenerator<EventSourceMessage> {
  const pending: EventSourceMessage[] = [];
  const parser = createBoundedParser({ onEvent: (event) => pending.push(event) });
  const decoder = new StringDecoder('utf8');
  let wake: (() => void) | undefined;
  let paused = false;
  let dropped = -1;
  let outcome: { error?: Error } | undefined;
  const reading = body.each((chunk) => {
    if (dropped >= 0) {
      dropped += chunk.length;
      if (dropped > DRAIN_LIMIT_BYTES) throw new Error('The rest of an upstream stream was too long to read through.');
      return;
    }
    parser.feed(decoder.write(chunk));
    if (!paused && pending.length >= HIGH_WATER_EVENTS) {
      paused = true;
      body.pause();
    }
    wake?.();
  });
  reading.then(
    () => (outcome = {}),
    (error: Error) => (outcome = { error }),
  ).finally(() => wake?.());
  try {
    for (;;) {
      if (pending.length > 0) {
        yield pending.shift() as EventSourceMessage;
        continue;
      }
      if (paused) {
        // Resuming may deliver what undici holds at once, and pause again: look again first.
        paused = false;
        body.resume();
        continue;
      }
      if (outcome) break;
      await new Promise<void>((resolve) => (wake = resolve));
      wake = undefined;
    }
    if (outcome.error) throw outcome.error;
    parser.feed(decoder.end());
    // A last event without its blank line still counts: some hosts end the body without one.
    parser.feed('\n\n');
    while (pending.length > 0) yield pending.shift() as EventSourceMessage;
  } finally {
    // Left early (an error event, [DONE] just before the end, a reader that stopped): the rest is
    // read and dropped, for a second at most, then the connection is cut; it is not held.
    if (!outcome) {
      dropped = 0;
      if (paused) body.resume();
      const timer = setTimeout(() => body.abort(new Error('The rest of an upstream stream took too long to read through.')), DRAIN_LIMIT_MS);
      timer.unref();
      void reading.catch(() => undefined).finally(() => clearTimeout(timer));
    }
  }
}
