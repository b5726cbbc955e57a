import type { Response } from 'express';
import type { ResolvedModel } from '../../providers/registry.js';
import { sendUpstream } from '../../upstream/http-client.js';
import { clientGoneSignal } from '../../usage/request-tracker.js';
import { geminiHeaders, geminiUrl, modelPath } from '../../dialects/gemini/api.js';
import { geminiError } from '../../dialects/gemini/read-error.js';

/** A whole-JSON Gemini method (countTokens, embedContent, batchEmbedContents) on a Gemini upstream:
 * the body goes to the upstream's model, its answer back to the client as it came. Returns the
 * answer's text, for a caller that observes usage. */
export const forwardGeminiJson = async (resolved: ResolvedModel, method: string, body: unknown, response: Response, headers: Record<string, string> = {}): Promise<string> => {
  const upstream = await sendUpstream({
    url: geminiUrl(resolved.provider, modelPath(resolved.upstreamModel, method)),
    headers: geminiHeaders(resolved.provider, true, 'application/json'),
    body: JSON.stringify(body),
    signal: clientGoneSignal(response),
    timeouts: resolved.provider.timeouts,
  });
  const text = await upstream.body.text();
  if (upstream.statusCode >= 400) throw geminiError(upstream.statusCode, upstream.headers, text, resolved.provider.id);
  response.writeHead(200, { 'content-type': 'application/json; charset=utf-8', ...headers });
  response.end(text);
  return text;
};
