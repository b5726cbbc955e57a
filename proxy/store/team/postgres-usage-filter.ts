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

/** The conditions on usage_events of a query: the period (by UTC day), the client's scope and the
 * filters (tags as jsonb containment, which the tags index serves). */
export const usageConditions = (query: RecordQuery, parameter: (value: unknown) => string): string[] => [
  ...(query.fromDay ? [`day >= ${parameter(query.fromDay)}::date`] : []),
  ...(query.toDay ? [`day <= ${parameter(query.toDay)}::date`] : []),
  ...(query.client === undefined ? [] : [`client = ${parameter(query.client)}`]),
  ...(query.team === undefined ? [] : [`team = ${parameter(query.team)}`]),
  ...(query.user === undefined ? [] : [`end_user = ${parameter(query.user)}`]),
  ...(query.tags && Object.keys(query.tags).length > 0 ? [`tags @> ${parameter(JSON.stringify(query.tags))}::jsonb`] : []),
];

export const whereClause = (conditions: string[]): string => (conditions.length > 0 ? ` WHERE ${conditions.join(' AND ')}` : '');
