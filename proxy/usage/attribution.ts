import { GatewayError } from '../errors.js';
import type { Redactor } from '../logger.js';
import type { UsageTags } from './usage-record.js';

/** Who a request's cost counts for, beyond its token: tags and the end user. */
export interface Attribution {
  tags?: UsageTags;
  user?: string;
}

/** What a dialect's body names, unchecked: candidate tags (an object of strings) and the end user.
 * Each dialect decodes its own fields into this (dialects/<name>/attribution.ts). */
export interface BodyAttribution {
  tags?: unknown;
  user?: unknown;
}

export const TAGS_HEADER = 'x-modapi-tags';
export const MAX_TAGS = 16;
const KEY_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
const MAX_VALUE_CHARS = 128;
// Printable, no separators of the header's own syntax; no control characters reach the ledger.
// eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
const VALUE_PATTERN = /^[^\u0000-\u001f\u007f,=]+$/;

const validValue = (value: unknown, redactor: Redactor): value is string =>
  typeof value === 'string' && value.length > 0 && value.length <= MAX_VALUE_CHARS && VALUE_PATTERN.test(value) && redactor.redact(value) === value;

const invalidTags = (why: string): GatewayError => GatewayError.invalidRequest(`Invalid ${TAGS_HEADER} header: ${why}. Tags are KEY=VALUE pairs separated by commas, at most ${MAX_TAGS}; keys of letters, digits, _ . - (at most 64), values of at most ${MAX_VALUE_CHARS} characters.`, TAGS_HEADER, 'invalid_tags');

/** The `x-modapi-tags` header (`feature=summarize,customer=acme`) as tags. A header the client set
 * on purpose is refused whole (400) when any pair is wrong, so tags are never lost silently; the
 * refusal names keys and positions, never a value (one may be a secret pasted by mistake). */
export const parseTagsHeader = (header: string | string[] | undefined, redactor: Redactor): UsageTags | undefined => {
  if (header === undefined) return undefined;
  const pairs = (Array.isArray(header) ? header.join(',') : header).split(',').map((pair) => pair.trim()).filter((pair) => pair.length > 0);
  if (pairs.length === 0) return undefined;
  if (pairs.length > MAX_TAGS) throw invalidTags(`${pairs.length} tags`);
  const tags: Record<string, string> = Object.create(null) as Record<string, string>;
  pairs.forEach((pair, index) => {
    const equals = pair.indexOf('=');
    const key = equals === -1 ? '' : pair.slice(0, equals).trim();
    const value = equals === -1 ? '' : pair.slice(equals + 1).trim();
    if (!KEY_PATTERN.test(key)) throw invalidTags(`tag ${index + 1} has no valid key`);
    if (key in tags) throw invalidTags(`the key '${key}' is repeated`);
    if (!validValue(value, redactor)) throw invalidTags(`the value of '${key}' is empty, too long, or looks like a key or token`);
    tags[key] = value;
  });
  return { ...tags };
};

/** A body's tags and end user, kept where valid and dropped where not: these fields are the
 * client's own (OpenAI `metadata`, Anthropic `metadata.user_id`), never required by the gateway,
 * so a value it cannot keep never fails the request. */
export const checkBodyAttribution = (body: BodyAttribution, redactor: Redactor): Attribution => {
  const result: Attribution = {};
  if (body.tags && typeof body.tags === 'object' && !Array.isArray(body.tags)) {
    const tags: Record<string, string> = {};
    let count = 0;
    for (const [key, value] of Object.entries(body.tags as Record<string, unknown>)) {
      if (count >= MAX_TAGS) break;
      if (!KEY_PATTERN.test(key) || !validValue(value, redactor)) continue;
      tags[key] = value;
      count += 1;
    }
    if (count > 0) result.tags = tags;
  }
  if (validValue(body.user, redactor)) result.user = body.user;
  return result;
};

/** The header's tags over the body's (the header is the gateway's own, set on purpose); the end
 * user from the body, else a `user` tag. */
export const mergeAttribution = (header: UsageTags | undefined, body: Attribution): Attribution => {
  const tags = header || body.tags ? { ...body.tags, ...header } : undefined;
  const user = body.user ?? tags?.user;
  return { ...(tags ? { tags } : {}), ...(user ? { user } : {}) };
};
