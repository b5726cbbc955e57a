import type { RecordQuery } from '../../usage/usage-rollups.js';

/** A statement's values, and the `$n` that names each as it is added: values are always passed
 * as parameters, never spliced into the text. */
export const statementValues = (): { values: unknown[]; parameter: (value: unknown) => string } => {
  const values: unknown[] = [];
  return {
    values,
    parameter: (value) => {
      values.push(value);
      return `$${values.length}`;
    },
  };
};

/** The period of a query by UTC day (what the day index serves). */
export const periodByDay = (query: RecordQuery, parameter: (value: unknown) => string): string[] => [
  ...(query.fromDay ? [`day >= ${parameter(query.fromDay)}::date`] : []),
  ...(query.toDay ? [`day <= ${parameter(query.toDay)}::date`] : []),
];

/** The same period by time, from the first day's midnight UTC to the next day after the last (what
 * the time index serves). */
export const periodByTime = (query: RecordQuery, parameter: (value: unknown) => string): string[] => [
  ...(query.fromDay ? [`time >= (${parameter(query.fromDay)}::date)::timestamp AT TIME ZONE 'UTC'`] : []),
  ...(query.toDay ? [`time < (${parameter(query.toDay)}::date + 1)::timestamp AT TIME ZONE 'UTC'`] : []),
];

/** Whose records, and which: the client's scope and the filters (tags as jsonb containment, which
 * the tags index serves). */
export const scopeConditions = (query: RecordQuery, parameter: (value: unknown) => string): string[] => [
  ...(query.client === undefined ? [] : [`client = ${parameter(query.client)}`]),
  ...(query.team === undefined ? [] : [`team = ${parameter(query.team)}`]),
  ...(query.user === undefined ? [] : [`end_user = ${parameter(query.user)}`]),
  ...(query.tags && Object.keys(query.tags).length > 0 ? [`tags @> ${parameter(JSON.stringify(query.tags))}::jsonb`] : []),
];

export const whereClause = (conditions: string[]): string => (conditions.length > 0 ? ` WHERE ${conditions.join(' AND ')}` : '');
