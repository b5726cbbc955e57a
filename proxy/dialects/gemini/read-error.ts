import { GatewayError } from '../../errors.js';
import { errorFromUpstream, parseUpstreamErrorBody } from '../../upstream/upstream-error.js';

type HeaderValue = string | string[] | undefined;

interface GoogleErrorDetail {
  '@type'?: string;
  reason?: string;
  retryDelay?: string;
}

/** google.rpc details of a Gemini error body (`{error:{details}}`, sometimes inside an array). */
const errorDetails = (bodyText: string): GoogleErrorDetail[] => {
  try {
    let parsed = JSON.parse(bodyText) as unknown;
    if (Array.isArray(parsed)) parsed = parsed[0];
    const details = (parsed as { error?: { details?: unknown } } | null)?.error?.details;
    return Array.isArray(details) ? (details.filter((detail) => detail && typeof detail === 'object') as GoogleErrorDetail[]) : [];
  } catch {
    return [];
  }
};

/** RetryInfo's `34.4s` as a Retry-After header value (whole seconds, rounded up). */
const retryAfterFromDelay = (delay: string | undefined): string | undefined => {
  const seconds = delay ? Number.parseFloat(delay) : Number.NaN;
  return Number.isFinite(seconds) && seconds >= 0 ? String(Math.ceil(seconds)) : undefined;
};

/** A Gemini error (HTTP status, or an `error` object inside a stream) as the gateway's error, in
 * the words an OpenAI client knows: an invalid key is a 401 (Gemini says 400 INVALID_ARGUMENT
 * with reason API_KEY_INVALID), an unknown model is `model_not_found`, a quota error keeps its
 * RetryInfo as Retry-After. The upstream's message is kept; a non-JSON page gets a summary. */
export const geminiError = (status: number, headers: Record<string, HeaderValue>, bodyText: string, providerId: string): GatewayError => {
  const base = errorFromUpstream(status, headers, bodyText, providerId);
  const details = errorDetails(bodyText);
  const reason = details.find((detail) => detail['@type']?.endsWith('google.rpc.ErrorInfo'))?.reason;
  const retryAfter = base.retryAfter ?? retryAfterFromDelay(details.find((detail) => detail['@type']?.endsWith('google.rpc.RetryInfo'))?.retryDelay);
  if (reason === 'API_KEY_INVALID') {
    return new GatewayError(401, base.message, { type: 'authentication_error', code: 'invalid_api_key', retryAfter });
  }
  if (base.status === 404 && /models\/\S+ is not found/.test(base.message)) {
    return new GatewayError(404, base.message, { type: 'invalid_request_error', code: 'model_not_found', param: 'model', retryAfter });
  }
  // Gemini's `code` repeats the HTTP status; its `status` (INVALID_ARGUMENT...) says more.
  const code = base.status === 429 ? 'rate_limit_exceeded' : (reason ?? parseUpstreamErrorBody(bodyText)?.type ?? null);
  return new GatewayError(base.status, base.message, { type: base.type, code, param: base.param, retryAfter });
};
