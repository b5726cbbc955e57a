import { adapterFor } from '../adapters/index.js';
import type { AdapterContext, ProviderAdapter } from '../adapters/types.js';
import { GatewayError, toGatewayError } from '../errors.js';
import type { ResolvedModel } from '../providers/registry.js';
import { resolveModel, type GatewayContext } from '../server/gateway-context.js';
import { budgetPeriodsCounted } from '../usage/budget-gate.js';
import { RequestTracker } from '../usage/request-tracker.js';
import { watchSignal, type ClientWatch } from '../upstream/client-watch.js';
import type { UsageRecord } from '../usage/usage-record.js';
import type { CallEndpoint } from '../usage/call-endpoint.js';

/** A model call that has been admitted: its model resolved, governance passed (allowed models,
 * rate, budget reservation), the provider's key present, the ledger record open in its tracker. */
export interface ModelCall {
  tracker: RequestTracker;
  resolved: ResolvedModel;
  adapter: ProviderAdapter;
  /** The caller's client (the route's tracker, or an in-process caller's signal). */
  client: ClientWatch;
  context: AdapterContext;
  /** Masks keys in upstream text the gateway relays (an SSE error event quoting the key). */
  redact: (text: string) => string;
}

/** The first step of every model call, over HTTP or in-process: resolve, admit, key check. */
export const admitModel = async (gateway: GatewayContext, tracker: RequestTracker, model: unknown, stream: boolean): Promise<ResolvedModel> => {
  const resolved = resolveModel(gateway, model);
  await tracker.route(resolved, stream);
  gateway.registry.requireKey(resolved.provider);
  return resolved;
};

const admit = async (gateway: GatewayContext, tracker: RequestTracker, model: unknown, stream: boolean, client: ClientWatch): Promise<ModelCall> => {
  const resolved = await admitModel(gateway, tracker, model, stream);
  return {
    tracker,
    resolved,
    adapter: adapterFor(resolved.provider.dialect),
    client,
    context: { provider: resolved.provider, upstreamModel: resolved.upstreamModel, client },
    redact: (text) => gateway.redactor.redact(text),
  };
};

/** An HTTP route's call: its tracker is the route's; errors are thrown to the route's error exit,
 * which records them. */
export const beginModelCall = (gateway: GatewayContext, tracker: RequestTracker, model: unknown, stream = false): Promise<ModelCall> =>
  admit(gateway, tracker, model, stream, tracker);

/** How an in-process caller (the chat view, VS Code's chat) identifies itself and cancels its work. */
export interface InProcessOptions {
  /** The ledger's `client` column (`chat-view`). */
  client: string;
  signal: AbortSignal;
  /** Sees the call's ledger record as it is written (the view shows its tokens, cost and timings). */
  onRecord?: (record: UsageRecord) => void;
}

/** An in-process call: the same admission without express. Throws a GatewayError (model not
 * found, refused, missing key), recorded like the route records it; once this returns, the caller
 * must `finish` the tracker whatever happens next. `requestBytes` sizes the budget estimate, as a
 * body's length does. */
export const beginInProcessCall = async (gateway: GatewayContext, endpoint: CallEndpoint, model: unknown, options: InProcessOptions, stream = false, requestBytes = 0): Promise<ModelCall> => {
  // At start, under a budget cap, the ledger must first have counted this month.
  await budgetPeriodsCounted(gateway, { name: options.client });
  const tracker = new RequestTracker(withRecordObserver(gateway, options.onRecord), endpoint, options.client, { requestBytes });
  try {
    return await admit(gateway, tracker, model, stream, watchSignal(options.signal));
  } catch (error) {
    throw finishFailed(tracker, error);
  }
};

/** Records a failed call (a GatewayError keeps its status; anything else counts as a 500) and
 * returns it redacted, as it may reach the caller (the chat view shows and saves it). */
export const finishFailed = (tracker: RequestTracker, error: unknown): GatewayError => {
  const failure = error instanceof GatewayError ? error : toGatewayError(error);
  const shown = tracker.failed(failure);
  tracker.finish(failure.status);
  return shown;
};

/** The gateway with its ledger sink wrapped, so the caller also sees its own record. */
const withRecordObserver = (gateway: GatewayContext, onRecord: InProcessOptions['onRecord']): GatewayContext => {
  if (!onRecord) return gateway;
  const sink = gateway.usage;
  const record = (entry: UsageRecord): void => {
    sink.record(entry);
    onRecord(entry);
  };
  // A proxy keeps whatever else the sink offers (budgets), bound to the real sink.
  const usage = new Proxy(sink, {
    get: (target, property) => {
      if (property === 'record') return record;
      const value = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return { ...gateway, usage };
};
