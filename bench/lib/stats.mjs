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
