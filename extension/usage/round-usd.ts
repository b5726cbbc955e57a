/** Sums rounded so float noise (0.1 + 0.2) never shows as a cost. Its own module: the budget hint
 * needs it at activation, without the usage panel's message schemas. */
export const roundUsd = (value: number): number => Math.round(value * 1e8) / 1e8;
