import { adapterFor } from '../adapters/index.js';
import type { ChatPart, ChatRequest } from '../adapters/types.js';
import { GatewayError, toGatewayError } from '../errors.js';
import { fallbackChain, fallsBack } from '../pipeline/fallbacks.js';
import type { ResolvedModel } from '../providers/registry.js';
import type { GatewayContext } from '../server/gateway-context.js';
import { isAbort } from '../upstream/http-client.js';
import type { RequestTracker } from '../usage/request-tracker.js';
import type { ClientWatch } from '../upstream/client-watch.js';
import { isOutput, observePart } from '../pipeline/observe-parts.js';
import { publicError } from '../public-error.js';
import { beginInProcessCall, type InProcessOptions } from '../pipeline/begin-call.js';
import { callEndpoint } from '../usage/call-endpoint.js';

export const CHAT_ENDPOINT = callEndpoint('/v1/chat/completions', 'chat');

/** How one model's attempt ended: fine, failed (before or after output), or stopped by the reader. */
type Attempt = { kind: 'done' } | { kind: 'stopped' } | { kind: 'failed'; error: GatewayError; produced: boolean };


/** One model's stream, observed for the ledger; its failure is returned, not yielded, so the caller
 * can still hand the request to a fallback while nothing has been shown. */
async function* attempt(served: ResolvedModel, request: ChatRequest, tracker: RequestTracker, client: ClientWatch): AsyncGenerator<ChatPart, Attempt> {
  let produced = false;
  try {
    for await (const part of adapterFor(served.provider.dialect).chat({ ...request, stream: true }, { provider: served.provider, upstreamModel: served.upstreamModel, client })) {
      if (part.type === 'error') return { kind: 'failed', error: part.error, produced };
      observePart(part, tracker);
      if (isOutput(part)) produced = true;
      yield part;
    }
    return { kind: 'done' };
  } catch (error) {
    if (client.clientGone || isAbort(error)) return { kind: 'stopped' };
    const failure = error instanceof GatewayError ? error : GatewayError.upstreamBrokeOff(served.provider.id, error);
    return { kind: 'failed', error: failure, produced };
  }
}

/** The chat view's entry into the gateway core: the same routing, admission, key check, adapters,
 * fallbacks and ledger record as `POST /v1/chat/completions`, in-process and always streamed.
 * Failures arrive as an `error` part (never thrown), so a reader has one place to show them; a
 * fallback taking over is a `warning` part; a cancelled run just ends. The ledger record is
 * written when the stream ends, whether it finished, failed or was stopped. */
export async function* runChat(gateway: GatewayContext, request: ChatRequest, options: InProcessOptions): AsyncGenerator<ChatPart> {
  let call;
  try {
    call = await beginInProcessCall(gateway, CHAT_ENDPOINT, request.model, options, true, Buffer.byteLength(JSON.stringify(request.messages ?? [])));
  } catch (error) {
    yield { type: 'error', error: publicError(toGatewayError(error), gateway.redactor) };
    return;
  }
  const { tracker, resolved } = call;
  const chain = fallbackChain(gateway, tracker, resolved);
  let status = 200;
  try {
    for (const [index, served] of chain.entries()) {
      tracker.servedBy(served);
      const outcome = yield* attempt(served, request, tracker, call.client);
      if (outcome.kind !== 'failed') return;
      const next = chain[index + 1];
      if (fallsBack(gateway, served, outcome.error, next, outcome.produced)) {
        yield { type: 'warning', message: `${served.requestedModel} failed (HTTP ${outcome.error.status}); answered by the fallback ${next.requestedModel}.` };
        continue;
      }
      tracker.failed(outcome.error);
      status = outcome.error.status;
      yield { type: 'error', error: publicError(outcome.error, gateway.redactor) };
      return;
    }
  } finally {
    // Also runs when the reader stops early (return() on the generator): the use so far is recorded.
    if (options.signal.aborted) tracker.clientClosed();
    tracker.finish(status);
  }
}
