import { adapterFor } from '../adapters/index.js';
import { GatewayError, toGatewayError } from '../errors.js';
import type { AdapterContext, ProviderAdapter } from '../adapters/types.js';
import type { ResolvedModel } from '../providers/registry.js';
import { resolveModel, type GatewayContext } from '../server/gateway-context.js';
import { budgetPeriodsCounted } from '../usage/budget-gate.js';
import { RequestTracker } from '../usage/request-tracker.js';
import type { UsageRecord } from '../usage/usage-record.js';

/** How an in-process caller (the chat view) identifies itself and cancels its work. */
export interface InProcessOptions {
  /** The ledger's `client` column (`chat-view`). */
  client: string;
  signal: AbortSignal;
  /** Sees the call's ledger record as it is written (the view shows its tokens, cost and timings). */
  onRecord?: (record: UsageRecord) => void;
}

export interface InProcessCall {
  tracker: RequestTracker;
  resolved: ResolvedModel;
  adapter: ProviderAdapter;
  context: AdapterContext;
}

/** Routing, admission (allowed models, rate, budgets), ledger tracking and the key check, as the
 * HTTP routes do them, without express. Throws a GatewayError (model not found, refused, missing
 * key), recorded like the route records it; once this returns, the caller must `finish` the
 * tracker whatever happens next. `requestBytes` sizes the budget estimate, as a body's length does.
 * At start, under a budget cap, it first waits for the ledger to have counted this month. */
export const beginInProcessCall = async (gateway: GatewayContext, endpoint: string, model: unknown, options: InProcessOptions, stream = false, requestBytes = 0): Promise<InProcessCall> => {
  await budgetPeriodsCounted(gateway, { name: options.client });
  const tracker = new RequestTracker(withRecordObserver(gateway, options.onRecord), endpoint, options.client, { requestBytes });
  const resolved = resolveModel(gateway, model);
  try {
    tracker.route(resolved, stream);
    gateway.registry.requireKey(resolved.provider);
  } catch (error) {
    throw finishFailed(tracker, error);
  }
  const context: AdapterContext = { provider: resolved.provider, upstreamModel: resolved.upstreamModel, signal: options.signal };
  return { tracker, resolved, adapter: adapterFor(resolved.provider.dialect), context };
};

/** Records a failed call (a GatewayError keeps its status; anything else counts as a 500). */
export const finishFailed = (tracker: RequestTracker, error: unknown): GatewayError => {
  const failure = error instanceof GatewayError ? error : toGatewayError(error);
  tracker.failed(failure);
  tracker.finish(failure.status);
  return failure;
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
