import { binomialQuantile } from "./distributions";

// Statistical process control for the monthly trend: a Laney p′ chart (Laney, "Improved control
// charts for attributes", Quality Engineering 2002;14:531–537) and the Anhøj run rules (Anhøj &
// Olesen, "Run charts revisited", PLoS ONE 2014;9:e113825), as NHS "Making Data Count" and the
// IHI use them to tell a signal from noise.
//
// Laney p′: with p̄ = Σx / Σn, each month's sigma σi = √(p̄(1 − p̄)/ni) and its z-score
// zi = (pi − p̄)/σi; σz is the average moving range of the z-scores divided by d2 = 1.128; the
// limits are p̄ ± 3·σi·σz. (σz > 1 widens the limits of large denominators, where the p chart's
// would flag ordinary month-to-month variation between plans and clinicians as special causes.)
//
// Anhøj: over the useful points (those not on the centre line), an unusually long run — more
// than round(log2(n) + 3) points in a row on one side — or too few crossings of the centre line
// — fewer than the 5th percentile of Binomial(n − 1, 0.5) — signals a shift.

export const D2 = 1.128;

export type SpcPoint = { month: string; numerator: number; denominator: number; provisional: boolean };

export type LaneyLimits = {
  centre: number;
  /** σz: the ratio of the months' spread to what the binomial alone would give. */
  sigmaZ: number;
  months: { month: string; rate: number | null; lower: number | null; upper: number | null; outside: boolean }[];
};

/**
 * The Laney p′ chart of monthly counts. Months with no denominator are skipped in the
 * computation; provisional months (claims still arriving) are plotted and judged but left out
 * of the centre line and σz, so that incomplete months do not move the limits.
 */
export function laneyPPrime(points: readonly SpcPoint[]): LaneyLimits | null {
  const basis = points.filter((p) => p.denominator > 0 && !p.provisional);
  const totalN = basis.reduce((s, p) => s + p.denominator, 0);
  if (basis.length < 2 || totalN === 0) return null;
  const centre = basis.reduce((s, p) => s + p.numerator, 0) / totalN;
  const sigma = (n: number) => Math.sqrt((centre * (1 - centre)) / n);
  const z = basis.map((p) => (centre === 0 || centre === 1 ? 0 : (p.numerator / p.denominator - centre) / sigma(p.denominator)));
  const movingRanges = z.slice(1).map((value, i) => Math.abs(value - z[i]!));
  const sigmaZ = movingRanges.reduce((s, r) => s + r, 0) / movingRanges.length / D2;
  return {
    centre,
    sigmaZ,
    months: points.map((p) => {
      if (p.denominator === 0) return { month: p.month, rate: null, lower: null, upper: null, outside: false };
      const rate = p.numerator / p.denominator;
      const width = 3 * sigma(p.denominator) * sigmaZ;
      const lower = Math.max(0, centre - width);
      const upper = Math.min(1, centre + width);
      return { month: p.month, rate, lower, upper, outside: rate < lower || rate > upper };
    }),
  };
}

export type RunsAnalysis = {
  /** Points not on the centre line. */
  useful: number;
  longestRun: number;
  /** A run longer than this signals. */
  longestRunLimit: number;
  crossings: number;
  /** Fewer crossings than this signal. */
  crossingsLimit: number;
  signal: boolean;
};

/** The Anhøj rules over a series of values against a centre line (null values are skipped). */
export function anhojRules(values: readonly (number | null)[], centre: number): RunsAnalysis {
  const sides = values.filter((v): v is number => v !== null && v !== centre).map((v) => (v > centre ? 1 : -1));
  const useful = sides.length;
  let longestRun = 0;
  let run = 0;
  let crossings = 0;
  sides.forEach((side, i) => {
    run = i > 0 && side === sides[i - 1] ? run + 1 : 1;
    if (i > 0 && side !== sides[i - 1]) crossings++;
    longestRun = Math.max(longestRun, run);
  });
  const longestRunLimit = useful > 0 ? Math.round(Math.log2(useful) + 3) : 0;
  const crossingsLimit = useful > 1 ? binomialQuantile(0.05, useful - 1, 0.5) : 0;
  return {
    useful,
    longestRun,
    longestRunLimit,
    crossings,
    crossingsLimit,
    signal: useful > 0 && (longestRun > longestRunLimit || crossings < crossingsLimit),
  };
}
