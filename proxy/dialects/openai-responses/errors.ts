import type { GatewayError } from '../../errors.js';
import type { ErrorDialect } from '../../server/error-exit.js';

/** The error object as OpenAI's APIs write it (the body's `error`, the stream's `error.error`). */
export const responsesErrorObject = (error: GatewayError) => ({ message: error.message, type: error.type, param: error.param, code: error.code });

/** The Responses API's errors: over HTTP the `{"error":{message,type,param,code}}` body of every
 * OpenAI endpoint. In a stream, the answer format writes the last events (an `error` event and
 * `response.failed`, which carry the stream's sequence numbers and the response so far); this event
 * is only for a stream that failed before its format could (sequence 0). */
export const responsesErrors: ErrorDialect = {
  status: (error) => error.status,
  body: (error) => JSON.stringify({ error: responsesErrorObject(error) }),
  event: (error) => {
    const body = responsesErrorObject(error);
    return `event: error\ndata: ${JSON.stringify({ type: 'error', sequence_number: 0, code: body.code, message: body.message, param: body.param, error: body })}\n\n`;
  },
};
