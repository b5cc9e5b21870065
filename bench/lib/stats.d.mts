// Types for stats.mjs (the smoke test is TypeScript).
export function median(xs: readonly number[]): number | null;
export function percentile(xs: readonly number[], p: number): number | null;
export function slope(xs: readonly number[], ys: readonly number[]): number;
export function theilSen(xs: readonly number[], ys: readonly number[]): number;
export function medianStepSlope(xs: readonly number[], ys: readonly number[]): number;
export function ratioInterval(
  ratios: readonly number[] | null | undefined,
): [number, number] | null;
export function round(x: number | null | undefined, digits?: number): number | null;
export function rotate<T>(items: readonly T[], k: number): T[];
