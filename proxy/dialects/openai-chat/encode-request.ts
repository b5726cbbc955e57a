import type { AdapterContext, ChatRequest } from '../../adapters/types.js';
import type { ResolvedModel } from '../../providers/registry.js';
import type { ChatRequestHead } from './decode-request.js';

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

interface Edit {
  start: number;
  end: number;
  text: string;
}

/** upstreamChatBody for a body of which only the head was parsed (decode-request.ts
 * chatRequestHead): the same JSON value as JSON.stringify(prepareOpenAIChatBody(whole body,
 * resolved)), made by replacing the model's value and the stream options' value in the client's
 * bytes (or putting the options in front), so that a long conversation is never parsed or
 * serialised. `spans` are the top-level values' places in `raw`. */
export const spliceUpstreamChatBody = (raw: Buffer, spans: ReadonlyMap<string, { start: number; end: number }>, head: ChatRequestHead, resolved: ResolvedModel): Buffer => {
  const edits: Edit[] = [];
  const model = spans.get('model');
  if (model && head.model !== resolved.upstreamModel) edits.push({ start: model.start, end: model.end, text: JSON.stringify(resolved.upstreamModel) });
  if (head.stream === true && resolved.provider.streamUsageOption && head.stream_options?.include_usage !== true) {
    const options = spans.get('stream_options');
    if (options) edits.push({ start: options.start, end: options.end, text: JSON.stringify({ ...(head.stream_options ?? {}), include_usage: true }) });
    else {
      const open = raw.indexOf(OPENING_BRACE) + 1;
      edits.push({ start: open, end: open, text: STREAM_USAGE.toString() });
    }
  }
  if (edits.length === 0) return raw;
  edits.sort((first, second) => first.start - second.start);
  const pieces: Buffer[] = [];
  let at = 0;
  for (const edit of edits) {
    pieces.push(raw.subarray(at, edit.start), Buffer.from(edit.text));
    at = edit.end;
  }
  pieces.push(raw.subarray(at));
  return Buffer.concat(pieces);
};
