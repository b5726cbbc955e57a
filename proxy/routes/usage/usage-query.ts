import { z } from 'zod';
import { GatewayError } from '../../errors.js';
import { GROUP_DIMENSIONS, type GroupDimension, type UsageQuery } from '../../usage/usage-rollups.js';

/** Whether the text's calendar day exists: Date.parse rolls 2025-02-30 over to March 2nd. */
const realDay = (value: string): boolean => {
  const [year, month, dayOfMonth] = value.slice(0, 10).split('-').map(Number) as [number, number, number];
  const date = new Date(Date.UTC(year, month - 1, dayOfMonth));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === dayOfMonth;
};

/** A day (YYYY-MM-DD) or an ISO time; rollups are per UTC day, so a time counts for its day. */
const day = z
  .string()
  .refine((value) => /^\d{4}-\d{2}-\d{2}/.test(value) && !Number.isNaN(Date.parse(value)) && realDay(value), 'must be a date (YYYY-MM-DD) or an ISO time')
  .transform((value) => new Date(Date.parse(value.length === 10 ? `${value}T00:00:00Z` : value)).toISOString().slice(0, 10));

const TAG_KEY = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
const groupBy = z.union([z.enum(GROUP_DIMENSIONS), z.string().regex(/^tag:[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, `must be one of ${GROUP_DIMENSIONS.join(', ')} or tag:KEY`)]);
const name = z.string().min(1).max(128);
/** `tag=customer=acme` (repeatable, every one must match). */
const tagFilter = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}=[^=,]{1,128}$/, 'must be KEY=VALUE');

const querySchema = z.object({
  from: day.optional(),
  to: day.optional(),
  group_by: groupBy.optional(),
  format: z.enum(['json', 'csv']).optional(),
  team: name.optional(),
  user: name.optional(),
  tag: z.union([tagFilter, z.array(tagFilter).max(16)]).optional(),
});

export interface ParsedUsageQuery extends UsageQuery {
  format: 'json' | 'csv';
}

const tagsOf = (filters: string | string[] | undefined): Record<string, string> | undefined => {
  if (filters === undefined) return undefined;
  const tags: Record<string, string> = {};
  for (const filter of Array.isArray(filters) ? filters : [filters]) {
    const equals = filter.indexOf('=');
    const key = filter.slice(0, equals);
    if (TAG_KEY.test(key)) tags[key] = filter.slice(equals + 1);
  }
  return tags;
};

/** `?from=&to=&group_by=&format=&team=&user=&tag=KEY=VALUE` as a query; a bad value is a 400
 * naming the parameter. */
export const parseUsageQuery = (query: unknown): ParsedUsageQuery => {
  const parsed = querySchema.safeParse(query);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const param = String(issue?.path[0] ?? '');
    throw GatewayError.invalidRequest(`Invalid ${param || 'query'}: ${issue?.message ?? 'not understood'}.`, param || null);
  }
  const { from, to, group_by: grouping, format, team, user, tag } = parsed.data;
  if (from && to && from > to) throw GatewayError.invalidRequest('"from" is after "to".', 'from');
  const tags = tagsOf(tag);
  return {
    fromDay: from,
    toDay: to,
    groupBy: grouping as GroupDimension | undefined,
    format: format ?? 'json',
    ...(team === undefined ? {} : { team }),
    ...(user === undefined ? {} : { user }),
    ...(tags ? { tags } : {}),
  };
};

const limitSchema = z.coerce.number().int().min(1).max(1_000).default(50);

export const parseRecentLimit = (value: unknown): number => {
  const parsed = limitSchema.safeParse(value);
  if (!parsed.success) throw GatewayError.invalidRequest('Invalid limit: a whole number from 1 to 1000.', 'limit');
  return parsed.data;
};
