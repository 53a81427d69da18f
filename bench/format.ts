// How the benchmark writes its numbers.

export const ms = (value: number) => `${value.toFixed(2)} ms`;

export const seconds = (value: number) => `${(value / 1000).toFixed(1)} s`;

export const verdict = (value: number, limit: number, unit: string) => `(target ≤ ${limit}${unit}: ${value <= limit ? 'met' : 'missed'})`;
