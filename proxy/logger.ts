/** Logging with redaction: known secrets are masked wherever they appear, and so is anything
 * shaped like a bearer token or an API key, so no key reaches a log by accident. */
export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

const KEY_SHAPES = [/\b(sk|pk|rk|sess|mk|modapi)[-_][A-Za-z0-9_-]{8,}/g, /\bAIza[0-9A-Za-z_-]{20,}/g, /(Bearer\s+)[^\s"']+/gi, /(x-api-key["']?\s*[:=]\s*["']?)[^\s"',}]+/gi, /(x-goog-api-key["']?\s*[:=]\s*["']?)[^\s"',}]+/gi];

export class Redactor {
  private readonly secrets = new Set<string>();

  addSecret(secret: string | undefined): void {
    if (secret && secret.length >= 4) this.secrets.add(secret);
  }

  redact(text: string): string {
    let result = text;
    for (const secret of this.secrets) result = result.split(secret).join('[redacted]');
    for (const shape of KEY_SHAPES) result = result.replace(shape, (_match, prefix?: string) => (typeof prefix === 'string' && /bearer|api-key/i.test(prefix) ? `${prefix}[redacted]` : '[redacted]'));
    return result;
  }
}

/** Redacts a JSON text read as a client will read it: a secret written with JSON escapes
 * (`\u0073k-...`) is not in the raw text but is in every parsed string. Text without a backslash
 * holds no escape and is redacted as it is; text that does not parse is too. */
export const redactJsonText = (text: string, redact: (text: string) => string): string => {
  if (!text.includes('\\')) return redact(text);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return redact(text);
  }
  let changed = false;
  const clean = (value: unknown): unknown => {
    if (typeof value === 'string') {
      const redacted = redact(value);
      if (redacted !== value) changed = true;
      return redacted;
    }
    if (Array.isArray(value)) return value.map(clean);
    if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, item]) => [clean(key) as string, clean(item)]));
    return value;
  };
  const cleaned = clean(parsed);
  return changed ? JSON.stringify(cleaned) : redact(text);
};

export const createConsoleLogger = (redactor: Redactor, quiet = false): Logger => ({
  info: (message) => {
    if (!quiet) console.log(redactor.redact(message));
  },
  warn: (message) => console.warn(redactor.redact(message)),
  error: (message) => console.error(redactor.redact(message)),
});

/** A logger handed in (the extension's output channel) with the same masking as the console one. */
export const redactingLogger = (log: Logger, redactor: Redactor): Logger => ({
  info: (message) => log.info(redactor.redact(message)),
  warn: (message) => log.warn(redactor.redact(message)),
  error: (message) => log.error(redactor.redact(message)),
});

export const silentLogger: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };
