import type { ChatPart, ChatRequest } from '../adapters/types.js';
import { GatewayError, toGatewayError } from '../errors.js';
import type { GatewayContext } from '../server/gateway-context.js';
import { isAbort } from '../upstream/http-client.js';
import { beginInProcessCall, type InProcessOptions } from './model-call.js';

export const CHAT_ENDPOINT = '/v1/chat/completions';

/** The chat view's entry into the gateway core: the same routing, key check, adapters and ledger
 * record as `POST /v1/chat/completions`, in-process and always streamed. Failures arrive as an
 * `error` part (never thrown), so a reader has one place to show them; a cancelled run just ends.
 * The ledger record is written when the stream ends, whether it finished, failed or was stopped. */
export async function* runChat(gateway: GatewayContext, request: ChatRequest, options: InProcessOptions): AsyncGenerator<ChatPart> {
  let call;
  try {
    call = beginInProcessCall(gateway, CHAT_ENDPOINT, request.model, options, true, Buffer.byteLength(JSON.stringify(request.messages ?? [])));
  } catch (error) {
    yield { type: 'error', error: toGatewayError(error) };
    return;
  }
  const { tracker, adapter, context } = call;
  let status = 200;
  try {
    for await (const part of adapter.chat({ ...request, stream: true }, context)) {
      if (part.type === 'usage') tracker.usage(part.usage);
      else if (part.type === 'text-delta' || part.type === 'reasoning-delta' || part.type === 'tool-call-delta' || part.type === 'refusal-delta') tracker.firstToken();
      else if (part.type === 'error') {
        tracker.failed(part.error);
        status = part.error.status;
      }
      yield part;
      if (part.type === 'error') return;
    }
  } catch (error) {
    if (options.signal.aborted || isAbort(error)) {
      tracker.clientClosed();
      return;
    }
    const failure = error instanceof GatewayError ? error : new GatewayError(502, 'The upstream broke off the stream.', { type: 'upstream_error', code: 'upstream_stream_broken', cause: error });
    tracker.failed(failure);
    status = failure.status;
    yield { type: 'error', error: failure };
  } finally {
    // Also runs when the reader stops early (return() on the generator): the use so far is recorded.
    if (options.signal.aborted) tracker.clientClosed();
    tracker.finish(status);
  }
}
