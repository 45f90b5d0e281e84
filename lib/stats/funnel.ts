import { binomialCdf, binomialQuantile } from "./distributions";

// Funnel plots for comparing payers and plans fairly (Spiegelhalter, "Funnel plots for comparing
// institutional performance", Statistics in Medicine 2005;24:1185–1202): each unit's rate is
// plotted against its denominator, with control limits around the all-payer rate p0 that narrow
// as n grows, so that a small plan's 0% or 100% is not read as a signal. The limits are exact
// binomial ones (his section 4.1): for a limit at probability q, r is the q-quantile of
// Binomial(n, p0), and the limit is (r − α) / n with α = (F(r) − q) / (F(r) − F(r − 1)), which
// interpolates between the discrete steps so that the limit is a smooth function of n.

/** Two-sided coverage of the limits drawn: 95% (warning) and 99.8% (control). */
export const FUNNEL_LEVELS = [0.95, 0.998] as const;

export type FunnelLimits = { n: number; lower: number; upper: number };

/** The exact binomial limit at probability q for denominator n around p0. */
export function binomialLimit(q: number, n: number, p0: number): number {
  if (n <= 0) return p0;
  const r = binomialQuantile(q, n, p0);
  const fr = binomialCdf(r, n, p0);
  const below = binomialCdf(r - 1, n, p0);
  const alpha = fr === below ? 0 : (fr - q) / (fr - below);
  return Math.min(1, Math.max(0, (r - alpha) / n));
}

/** The limits of two-sided coverage `level` (0.95, 0.998) for denominator n around p0. */
export function funnelLimits(level: number, n: number, p0: number): FunnelLimits {
  const tail = (1 - level) / 2;
  return { n, lower: binomialLimit(tail, n, p0), upper: binomialLimit(1 - tail, n, p0) };
}

export type FunnelPosition = "above_998" | "above_95" | "within" | "below_95" | "below_998";

/**
 * Where a unit x of n lies around p0, judged by its exact one-sided binomial tail: beyond the
 * 95% limits when P(X ≥ x) (or P(X ≤ x)) is under 2.5%, beyond the 99.8% ones under 0.1%. The
 * drawn limits interpolate between the discrete steps; judging by the tail itself keeps a small
 * plan's 3 of 3, which is not unusual, from being read as above them.
 */
export function funnelPosition(x: number, n: number, p0: number): FunnelPosition {
  const above = 1 - binomialCdf(x - 1, n, p0);
  const below = binomialCdf(x, n, p0);
  const tail = (level: number) => (1 - level) / 2;
  if (above < tail(0.998)) return "above_998";
  if (above < tail(0.95)) return "above_95";
  if (below < tail(0.998)) return "below_998";
  if (below < tail(0.95)) return "below_95";
  return "within";
}

/** The limit curves to draw, at denominators spread from 1 to `maxN` (more where they bend). */
export function funnelCurve(level: number, p0: number, maxN: number, points = 60): FunnelLimits[] {
  const ns = new Set<number>();
  for (let i = 0; i <= points; i++) ns.add(Math.max(1, Math.round(Math.exp((Math.log(Math.max(maxN, 2)) * i) / points))));
  return [...ns].sort((a, b) => a - b).map((n) => funnelLimits(level, n, p0));
}
