// Small robust statistics for timing comparisons: medians and median absolute deviations resist the odd
// slow answer (a GC pause, a retransmit) that would swamp a mean and a standard deviation.

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** The median absolute deviation scaled to estimate a standard deviation (1.4826 × MAD). */
export function robustSpread(values: readonly number[]): number {
  const m = median(values);
  return 1.4826 * median(values.map((v) => Math.abs(v - m)));
}

/** Spread of two samples together: the root mean square of their robust spreads. */
export function pooledSpread(a: readonly number[], b: readonly number[]): number {
  const sa = robustSpread(a);
  const sb = robustSpread(b);
  return Math.sqrt((sa * sa + sb * sb) / 2);
}

/**
 * How often a value of `a` exceeds one of `b` (ties count half): 0.5 means the distributions overlap fully,
 * 0 or 1 that they do not overlap at all. This is the Mann-Whitney U statistic divided by |a|·|b|.
 */
export function superiority(a: readonly number[], b: readonly number[]): number {
  if (a.length === 0 || b.length === 0) return Number.NaN;
  let wins = 0;
  for (const x of a) for (const y of b) wins += x > y ? 1 : x === y ? 0.5 : 0;
  return wins / (a.length * b.length);
}

/** The q-quantile (0..1), interpolating linearly between order statistics. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const s = [...values].sort((a, b) => a - b);
  const pos = Math.min(1, Math.max(0, q)) * (s.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(s.length - 1, lo + 1);
  return s[lo]! + (s[hi]! - s[lo]!) * (pos - lo);
}

export const round1 = (v: number): number => Math.round(v * 10) / 10;
