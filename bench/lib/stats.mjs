// Small statistics helpers.

export function median(xs) {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** Nearest-rank percentile, p in [0, 100]. */
export function percentile(xs, p) {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}

/** Least-squares slope of ys over xs. */
export function slope(xs, ys) {
  const n = xs.length;
  if (n < 2) return 0;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += (xs[i] - mx) * (ys[i] - my);
    den += (xs[i] - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

/**
 * Theil–Sen slope: the median of the slopes between every pair of points. Unlike least squares
 * it is not pulled by one outlying point; a step (V8 growing its heap once) pulls it unless the
 * step is near either end, since every pair across the step then has a steep slope.
 */
export function theilSen(xs, ys) {
  const slopes = [];
  for (let i = 0; i < xs.length; i++) {
    for (let j = i + 1; j < xs.length; j++) {
      if (xs[j] !== xs[i]) slopes.push((ys[j] - ys[i]) / (xs[j] - xs[i]));
    }
  }
  return median(slopes) ?? 0;
}

/**
 * The median of the slopes between consecutive points. A leak raises every interval; V8 sizing
 * its heap raises one or two, wherever they fall, and of nine intervals up to four can jump
 * without moving the median.
 */
export function medianStepSlope(xs, ys) {
  const slopes = [];
  for (let i = 1; i < xs.length; i++) {
    if (xs[i] !== xs[i - 1]) slopes.push((ys[i] - ys[i - 1]) / (xs[i] - xs[i - 1]));
  }
  return median(slopes) ?? 0;
}

// Two-sided 95 % quantiles of Student's t for 1..30 degrees of freedom.
const _T95 = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145,
  2.131, 2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048,
  2.045, 2.042,
];

/**
 * The 95 % confidence interval of the typical ratio among positive `ratios` (a t interval on
 * their logarithms, so 0.5 and 2 weigh the same), as `[low, high]`; null for fewer than two.
 * Paired rounds of two subjects give such ratios: an interval holding 1 says the rounds do not
 * tell the two apart. Past 30 degrees of freedom t is approximated by 1.96 + 2.4/df (within
 * 0.002 of the table at 30 and at 100).
 */
export function ratioInterval(ratios) {
  const n = ratios?.length ?? 0;
  if (n < 2 || ratios.some((r) => !(r > 0))) return null;
  const logs = ratios.map(Math.log);
  const mean = logs.reduce((a, b) => a + b, 0) / n;
  const variance = logs.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1);
  const df = n - 1;
  const t = df <= _T95.length ? _T95[df - 1] : 1.96 + 2.4 / df;
  const half = t * Math.sqrt(variance / n);
  return [Math.exp(mean - half), Math.exp(mean + half)];
}

/** Rounds to `digits` decimals (null stays null). */
export function round(x, digits = 2) {
  if (x === null || x === undefined || Number.isNaN(x)) return null;
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/** `items` rotated left by `k`: round k starts with a different subject (A B C, B C A, ...). */
export function rotate(items, k) {
  const n = items.length;
  return items.map((_, i) => items[(i + k) % n]);
}
