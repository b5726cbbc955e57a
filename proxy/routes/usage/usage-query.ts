import { z } from 'zod';
import { GatewayError } from '../../errors.js';
import { GROUP_DIMENSIONS, type UsageQuery } from '../../usage/usage-rollups.js';

/** A day (YYYY-MM-DD) or an ISO time; rollups are per UTC day, so a time counts for its day. */
const day = z
  .string()
  .refine((value) => /^\d{4}-\d{2}-\d{2}/.test(value) && !Number.isNaN(Date.parse(value)), 'must be a date (YYYY-MM-DD) or an ISO time')
  .transform((value) => new Date(Date.parse(value.length === 10 ? `${value}T00:00:00Z` : value)).toISOString().slice(0, 10));

const querySchema = z.object({
  from: day.optional(),
  to: day.optional(),
  group_by: z.enum(GROUP_DIMENSIONS).optional(),
  format: z.enum(['json', 'csv']).optional(),
});

export interface ParsedUsageQuery extends UsageQuery {
  format: 'json' | 'csv';
}

/** `?from=&to=&group_by=&format=` as a rollup query; a bad value is a 400 naming the parameter. */
export const parseUsageQuery = (query: unknown): ParsedUsageQuery => {
  const parsed = querySchema.safeParse(query);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const param = String(issue?.path[0] ?? '');
    throw GatewayError.invalidRequest(`Invalid ${param || 'query'}: ${issue?.message ?? 'not understood'}.`, param || null);
  }
  const { from, to, group_by: groupBy, format } = parsed.data;
  if (from && to && from > to) throw GatewayError.invalidRequest('"from" is after "to".', 'from');
  return { fromDay: from, toDay: to, groupBy, format: format ?? 'json' };
};

const limitSchema = z.coerce.number().int().min(1).max(1_000).default(50);

export const parseRecentLimit = (value: unknown): number => {
  const parsed = limitSchema.safeParse(value);
  if (!parsed.success) throw GatewayError.invalidRequest('Invalid limit: a whole number from 1 to 1000.', 'limit');
  return parsed.data;
};
