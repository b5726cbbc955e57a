import type { AdapterContext, ChatRequest } from '../../adapters/types.js';
import type { ResolvedModel } from '../../providers/registry.js';

/** The request an OpenAI-dialect upstream receives: the client's body with the upstream's model id,
 * and usage always asked for on streams (the ledger needs it). */
export const prepareOpenAIChatBody = (request: ChatRequest, context: Pick<AdapterContext, 'provider' | 'upstreamModel'>): ChatRequest => {
  const body: ChatRequest = { ...request, model: context.upstreamModel };
  if (body.stream && context.provider.streamUsageOption) body.stream_options = { ...(body.stream_options ?? {}), include_usage: true };
  return body;
};

const STREAM_USAGE = Buffer.from('"stream_options":{"include_usage":true},');
const OPENING_BRACE = 0x7b;

/** What an OpenAI-dialect upstream is sent for a chat request: the same JSON value as
 * `JSON.stringify(prepareOpenAIChatBody(body, resolved))`, built without re-serialising the
 * client's body when the change is none (the model id kept) or only the stream usage option
 * missing (put in front). `raw` must be the bytes `body` was parsed from, and `body` unchanged
 * since. */
export const upstreamChatBody = (body: ChatRequest, raw: Buffer | undefined, resolved: ResolvedModel): string | Buffer => {
  if (raw && body.model === resolved.upstreamModel) {
    const usageMissing = body.stream === true && resolved.provider.streamUsageOption && body.stream_options?.include_usage !== true;
    if (!usageMissing) return raw;
    if (!Object.hasOwn(body, 'stream_options')) {
      // The body parsed to an object, so its first byte other than JSON whitespace is `{`.
      const open = raw.indexOf(OPENING_BRACE) + 1;
      return Buffer.concat([raw.subarray(0, open), STREAM_USAGE, raw.subarray(open)]);
    }
  }
  return JSON.stringify(prepareOpenAIChatBody(body, resolved));
};
