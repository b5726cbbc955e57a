import { defaultTypeForStatus, GatewayError, type GatewayErrorType } from './errors.js';
import type { Redactor } from './logger.js';

/** Codes and types are identifiers; anything else an upstream put there (a sentence, a quoted
 * header, a key) is not passed on. */
const SAFE_WORD = /^[A-Za-z0-9_.:-]{1,64}$/;
/** A parameter path: `messages[0].content`. */
const SAFE_PARAM = /^[A-Za-z0-9_.[\]-]{1,128}$/;

const safe = (value: string | null, pattern: RegExp, redactor: Redactor): string | null => {
  if (value === null || !pattern.test(value)) return null;
  return redactor.redact(value) === value ? value : null;
};

/** The error as it may leave the gateway (to an HTTP client, the chat view, the ledger, a log):
 * every field redacted, and code, type and param passed on only when they are short identifiers
 * that hold no secret. Everything an upstream says is data; this is the one place it is cleaned. */
export const publicError = (error: GatewayError, redactor: Redactor): GatewayError => {
  const type = (safe(error.type, SAFE_WORD, redactor) as GatewayErrorType | null) ?? defaultTypeForStatus(error.status);
  const code = safe(error.code, SAFE_WORD, redactor);
  const param = safe(error.param, SAFE_PARAM, redactor);
  const message = redactor.redact(error.message);
  if (message === error.message && type === error.type && code === error.code && param === error.param) return error;
  return new GatewayError(error.status, message, { type, code, param, retryAfter: error.retryAfter, cause: error.cause });
};
