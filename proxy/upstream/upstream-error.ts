import { GatewayError, type GatewayErrorType } from '../errors.js';

type HeaderValue = string | string[] | undefined;

const firstHeader = (value: HeaderValue): string | undefined => (Array.isArray(value) ? value[0] : value);

/** Anthropic's and Gemini's error types, in OpenAI's words. */
const TYPE_BY_UPSTREAM_TYPE: Record<string, GatewayErrorType> = {
  invalid_request_error: 'invalid_request_error',
  authentication_error: 'authentication_error',
  permission_error: 'permission_error',
  not_found_error: 'not_found_error',
  request_too_large: 'invalid_request_error',
  rate_limit_error: 'rate_limit_error',
  api_error: 'api_error',
  overloaded_error: 'api_error',
  INVALID_ARGUMENT: 'invalid_request_error',
  FAILED_PRECONDITION: 'invalid_request_error',
  PERMISSION_DENIED: 'permission_error',
  UNAUTHENTICATED: 'authentication_error',
  NOT_FOUND: 'not_found_error',
  RESOURCE_EXHAUSTED: 'rate_limit_error',
  INTERNAL: 'api_error',
  UNAVAILABLE: 'api_error',
  DEADLINE_EXCEEDED: 'timeout_error',
};

interface ParsedUpstreamError {
  message?: string;
  type?: string;
  code?: string | number | null;
  param?: string | null;
}

/** Reads the error out of OpenAI (`{error:{message,type,code,param}}`), Anthropic
 * (`{type:"error",error:{type,message}}`) and Gemini (`{error:{code,message,status}}`, sometimes
 * wrapped in an array) bodies. */
export const parseUpstreamErrorBody = (text: string): ParsedUpstreamError | undefined => {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (Array.isArray(parsed)) parsed = parsed[0];
  if (!parsed || typeof parsed !== 'object') return undefined;
  const inner = (parsed as { error?: unknown }).error;
  if (typeof inner === 'string') return { message: inner };
  if (!inner || typeof inner !== 'object') {
    const message = (parsed as { message?: unknown }).message;
    return typeof message === 'string' ? { message } : undefined;
  }
  const error = inner as Record<string, unknown>;
  return {
    message: typeof error.message === 'string' ? error.message : undefined,
    type: typeof error.type === 'string' ? error.type : typeof error.status === 'string' ? error.status : undefined,
    code: typeof error.code === 'string' || typeof error.code === 'number' ? error.code : null,
    param: typeof error.param === 'string' ? error.param : null,
  };
};

/** An upstream's 4xx/5xx as a GatewayError: the same status (529 becomes 503, which OpenAI clients
 * know), the upstream's message and Retry-After kept. An HTML error page yields a short summary. */
export const errorFromUpstream = (status: number, headers: Record<string, HeaderValue>, bodyText: string, providerId: string): GatewayError => {
  const parsed = parseUpstreamErrorBody(bodyText);
  const gatewayStatus = status === 529 ? 503 : status >= 400 && status <= 599 ? status : 502;
  const message = parsed?.message ?? summariseNonJson(bodyText, status, providerId);
  const upstreamType = parsed?.type;
  const type = (upstreamType && TYPE_BY_UPSTREAM_TYPE[upstreamType]) ?? (upstreamType as GatewayErrorType | undefined);
  const code = parsed?.code !== undefined && parsed.code !== null ? String(parsed.code) : upstreamType ?? null;
  return new GatewayError(gatewayStatus, message, {
    type: type || undefined,
    code,
    param: parsed?.param ?? null,
    retryAfter: firstHeader(headers['retry-after']),
  });
};

const summariseNonJson = (bodyText: string, status: number, providerId: string): string => {
  const text = bodyText
    .replace(/<style[\s\S]*?<\/style>|<script[\s\S]*?<\/script>/gi, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 200);
  return `The upstream provider "${providerId}" answered HTTP ${status}${text ? `: ${text}` : ''}.`;
};

/** Some hosts (OpenRouter) answer a failure with status 200 and an error body, the real status (if
 * any) in `error.code`. Such an answer as a GatewayError; undefined for a real answer. */
export const errorInOkAnswer = (answer: unknown, headers: Record<string, HeaderValue>, bodyText: string, providerId: string): GatewayError | undefined => {
  if (!answer || typeof answer !== 'object') return undefined;
  const { error, choices } = answer as { error?: unknown; choices?: unknown };
  if (!error || typeof error !== 'object' || Array.isArray(choices)) return undefined;
  const code = Number((error as { code?: unknown }).code);
  return errorFromUpstream(code >= 400 && code <= 599 ? code : 502, headers, bodyText, providerId);
};

/** A whole answer of a same-dialect upstream, read and parsed: a body that is not JSON, or an error
 * in a 200 (errorInOkAnswer), is thrown. */
export const readOkJsonAnswer = async <Answer>(upstream: { headers: Record<string, HeaderValue>; body: { bytes(): Promise<Buffer> } }, providerId: string): Promise<{ bytes: Buffer; answer: Answer }> => {
  const bytes = await upstream.body.bytes();
  const text = bytes.toString('utf8');
  let answer: Answer;
  try {
    answer = JSON.parse(text) as Answer;
  } catch {
    throw GatewayError.badUpstreamBody(providerId, 'a body that is not JSON');
  }
  const failure = errorInOkAnswer(answer, upstream.headers, text, providerId);
  if (failure) throw failure;
  return { bytes, answer };
};

/** An upstream answer with an error status, read and thrown as the dialect's reader makes it; any
 * other answer is given back for its caller to read. */
export const refuseErrorStatus = async <Answer extends { statusCode: number; headers: Record<string, HeaderValue>; body: { text(): Promise<string> } }>(
  response: Answer,
  errorOf: (status: number, headers: Record<string, HeaderValue>, bodyText: string) => GatewayError,
): Promise<Answer> => {
  if (response.statusCode < 400) return response;
  throw errorOf(response.statusCode, response.headers, await response.body.text().catch(() => ''));
};
