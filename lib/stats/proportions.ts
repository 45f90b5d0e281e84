import { normalCdf } from "./distributions";

// Whether a rate changed between two periods more than chance would explain: the two-proportion
// z-test with a pooled estimate (e.g. Altman, Practical Statistics for Medical Research, §10.7.2):
// p = (x1 + x2)/(n1 + n2), z = (x1/n1 − x2/n2) / √(p(1 − p)(1/n1 + 1/n2)), two-sided
// P = 2(1 − Φ(|z|)). The change is called significant at P < 0.05.

export const SIGNIFICANCE = 0.05;

export type TwoProportionTest = { difference: number; z: number; pValue: number; significant: boolean };

/** Null when either denominator is 0 or the pooled rate is 0 or 1 (no variance to test). */
export function twoProportionTest(x1: number, n1: number, x2: number, n2: number): TwoProportionTest | null {
  if (n1 <= 0 || n2 <= 0) return null;
  const pooled = (x1 + x2) / (n1 + n2);
  if (pooled <= 0 || pooled >= 1) return null;
  const difference = x1 / n1 - x2 / n2;
  const z = difference / Math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2));
  const pValue = 2 * (1 - normalCdf(Math.abs(z)));
  return { difference, z, pValue, significant: pValue < SIGNIFICANCE };
}
