import { adapterFor } from '../adapters/index.js';
import type { ChatPart, ChatRequest } from '../adapters/types.js';
import { GatewayError, toGatewayError } from '../errors.js';
import { fallbackCandidates, fallbackWorthy } from '../governance/fallbacks.js';
import type { ResolvedModel } from '../providers/registry.js';
import type { GatewayContext } from '../server/gateway-context.js';
import { isAbort } from '../upstream/http-client.js';
import type { RequestTracker } from '../usage/request-tracker.js';
import { beginInProcessCall, type InProcessOptions } from './model-call.js';

export const CHAT_ENDPOINT = '/v1/chat/completions';

/** How one model's attempt ended: fine, failed (before or after output), or stopped by the reader. */
type Attempt = { kind: 'done' } | { kind: 'stopped' } | { kind: 'failed'; error: GatewayError; produced: boolean };

const isOutput = (part: ChatPart): boolean => part.type === 'text-delta' || part.type === 'reasoning-delta' || part.type === 'tool-call-delta' || part.type === 'refusal-delta';

/** One model's stream, observed for the ledger; its failure is returned, not yielded, so the caller
 * can still hand the request to a fallback while nothing has been shown. */
async function* attempt(served: ResolvedModel, request: ChatRequest, tracker: RequestTracker, signal: AbortSignal): AsyncGenerator<ChatPart, Attempt> {
  let produced = false;
  try {
    for await (const part of adapterFor(served.provider.dialect).chat({ ...request, stream: true }, { provider: served.provider, upstreamModel: served.upstreamModel, signal })) {
      if (part.type === 'error') return { kind: 'failed', error: part.error, produced };
      if (part.type === 'usage') tracker.usage(part.usage);
      else if (isOutput(part)) {
        tracker.firstToken();
        produced = true;
      }
      yield part;
    }
    return { kind: 'done' };
  } catch (error) {
    if (signal.aborted || isAbort(error)) return { kind: 'stopped' };
    const failure = error instanceof GatewayError ? error : new GatewayError(502, 'The upstream broke off the stream.', { type: 'upstream_error', code: 'upstream_stream_broken', cause: error });
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
    yield { type: 'error', error: toGatewayError(error) };
    return;
  }
  const { tracker, resolved } = call;
  const chain = gateway.fallbacks?.[resolved.requestedModel] ? [resolved, ...fallbackCandidates(gateway, tracker, resolved)] : [resolved];
  let status = 200;
  try {
    for (const [index, served] of chain.entries()) {
      tracker.servedBy(served);
      const outcome = yield* attempt(served, request, tracker, options.signal);
      if (outcome.kind !== 'failed') return;
      const next = chain[index + 1];
      if (next && !outcome.produced && fallbackWorthy(outcome.error)) {
        gateway.log.warn(`fallback: ${served.requestedModel} failed with HTTP ${outcome.error.status}; trying ${next.requestedModel}`);
        yield { type: 'warning', message: `${served.requestedModel} failed (HTTP ${outcome.error.status}); answered by the fallback ${next.requestedModel}.` };
        continue;
      }
      tracker.failed(outcome.error);
      status = outcome.error.status;
      yield { type: 'error', error: outcome.error };
      return;
    }
  } finally {
    // Also runs when the reader stops early (return() on the generator): the use so far is recorded.
    if (options.signal.aborted) tracker.clientClosed();
    tracker.finish(status);
  }
}
