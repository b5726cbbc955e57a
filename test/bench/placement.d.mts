export function onSeparateCores<T>(processes: { measured: number[]; others: number[] }, measure: () => Promise<T>): Promise<T>;
export function placementSummary(): string;
