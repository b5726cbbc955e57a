import { createParser, type EventSourceParser, type ParserCallbacks } from 'eventsource-parser';
import { GatewayError } from '../errors.js';
import { wholeBodyLimit } from '../upstream/whole-body-limit.js';

/** eventsource-parser holding at most what a whole answer may (one event can be that large: a
 * streamed image). Unbounded, an upstream that never ends its line grew the gateway until V8 ran
 * out of heap and the process ended; now the feed that passes the bound throws a 502, which
 * aborts the upstream call. */
export const createBoundedParser = (callbacks: Omit<ParserCallbacks, 'onError'>): EventSourceParser => {
  const limit = wholeBodyLimit();
  return createParser({
    ...callbacks,
    maxBufferSize: limit,
    onError: (error) => {
      if (error.type === 'max-buffer-size-exceeded') throw GatewayError.upstreamEventTooLarge(limit);
    },
  });
};
