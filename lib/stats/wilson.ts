/** z for a two-sided 95% interval, as SPEC section 5 fixes it. */
export const Z_95 = 1.959964;

export type Interval = { low: number; high: number };

/** The Wilson score interval of x successes in n trials (SPEC section 5); null when n = 0. */
export function wilsonInterval(x: number, n: number, z = Z_95): Interval | null {
  if (n <= 0) return null;
  const p = x / n;
  const z2 = z * z;
  const denominator = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denominator;
  const halfWidth = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / denominator;
  // Clamp rounding noise at the ends (0 of n, n of n).
  return { low: Math.max(0, centre - halfWidth), high: Math.min(1, centre + halfWidth) };
}
