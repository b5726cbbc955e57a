import { createParser, type EventSourceMessage } from 'eventsource-parser';

/** Reads a server-sent-event body as it arrives, one event at a time (eventsource-parser does the
 * framing). Used by every adapter that decodes a stream into parts. */
export async function* readServerSentEvents(body: AsyncIterable<Buffer | string>): AsyncGenerator<EventSourceMessage> {
  const pending: EventSourceMessage[] = [];
  const parser = createParser({ onEvent: (event) => pending.push(event) });
  const decoder = new TextDecoder();
  for await (const chunk of body) {
    parser.feed(typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true }));
    while (pending.length > 0) yield pending.shift() as EventSourceMessage;
  }
  parser.feed(decoder.decode());
  // A last event without its blank line still counts: some hosts end the body without one.
  parser.feed('\n\n');
  while (pending.length > 0) yield pending.shift() as EventSourceMessage;
}
