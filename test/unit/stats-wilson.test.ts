import { describe, expect, it } from "vitest";
import { wilsonInterval, Z_95 } from "@/lib/stats/wilson";

// SPEC section 5: the 95% Wilson score interval, z = 1.959964,
//   centre     = (p + z²/2n) / (1 + z²/n)
//   half-width = z·√(p(1−p)/n + z²/4n²) / (1 + z²/n).
// z² = 1.959964² = 3.841458881296.
//
// Each expected value below is a published Wilson score 95% interval (81 of 263 is the worked
// example of Newcombe, Statist. Med. 1998), re-derived here from the SPEC formula by hand.
// All four agree with the formula at the 4th decimal, so no published value was overridden.

describe("wilsonInterval (SPEC section 5)", () => {
  it("uses the z the SPEC fixes", () => {
    expect(Z_95).toBe(1.959964);
  });

  it("0 of 10 → [0.0000, 0.2775]", () => {
    // p = 0, z²/n = 0.384146, 1 + z²/n = 1.384146.
    // centre = (0 + 0.192073) / 1.384146 = 0.138766.
    // half = z·√(0 + z²/400) / 1.384146 = z·(z/20) / 1.384146 = 0.192073 / 1.384146 = 0.138766.
    // low = 0 (centre − half, exactly 0), high = 0.277533 → 0.2775.
    const ci = wilsonInterval(0, 10)!;
    expect(ci.low).toBeCloseTo(0, 4);
    expect(ci.low).toBeGreaterThanOrEqual(0);
    expect(ci.high).toBeCloseTo(0.2775, 4);
  });

  it("5 of 10 → [0.2366, 0.7634]", () => {
    // p = 0.5: centre = (0.5 + 0.192073) / 1.384146 = 0.5 (symmetric).
    // p(1−p)/n = 0.025, z²/4n² = 3.841459/400 = 0.009604; √0.034604 = 0.186020.
    // half = 1.959964 × 0.186020 / 1.384146 = 0.364592 / 1.384146 = 0.263407.
    // [0.5 − 0.263407, 0.5 + 0.263407] = [0.236593, 0.763407] → [0.2366, 0.7634].
    const ci = wilsonInterval(5, 10)!;
    expect(ci.low).toBeCloseTo(0.2366, 4);
    expect(ci.high).toBeCloseTo(0.7634, 4);
  });

  it("10 of 10 → [0.7225, 1.0000]", () => {
    // p = 1: centre = (1 + 0.192073) / 1.384146 = 0.861234; p(1−p) = 0, so half = 0.138766
    // as for 0 of 10. [0.722467, 1.000000] → [0.7225, 1.0000] (the mirror of 0 of 10).
    const ci = wilsonInterval(10, 10)!;
    expect(ci.low).toBeCloseTo(0.7225, 4);
    expect(ci.high).toBeCloseTo(1, 4);
    expect(ci.high).toBeLessThanOrEqual(1);
  });

  it("81 of 263 → [0.2553, 0.3662]", () => {
    // p = 81/263 = 0.307985; z²/n = 3.841459/263 = 0.014606; 1 + z²/n = 1.014606;
    // z²/2n = 0.007303. centre = (0.307985 + 0.007303) / 1.014606 = 0.315288 / 1.014606 = 0.310749.
    // p(1−p)/n = 0.307985 × 0.692015 / 263 = 0.00081038; z²/4n² = 3.841459/276676 = 0.00001388;
    // √0.00082427 = 0.0287101; half = 1.959964 × 0.0287101 / 1.014606 = 0.0554605.
    // [0.310749 − 0.055461, 0.310749 + 0.055461] = [0.255288, 0.366210] → [0.2553, 0.3662].
    const ci = wilsonInterval(81, 263)!;
    expect(ci.low).toBeCloseTo(0.2553, 4);
    expect(ci.high).toBeCloseTo(0.3662, 4);
  });

  it("n = 0 → null (not available, never 0%)", () => {
    expect(wilsonInterval(0, 0)).toBeNull();
  });

  it("the interval contains the rate and stays within [0, 1]", () => {
    for (const [x, n] of [[0, 1], [1, 1], [1, 3], [19, 20], [3, 1000], [997, 1000]] as const) {
      const ci = wilsonInterval(x, n)!;
      expect(ci.low).toBeGreaterThanOrEqual(0);
      expect(ci.high).toBeLessThanOrEqual(1);
      expect(ci.low).toBeLessThanOrEqual(x / n);
      expect(ci.high).toBeGreaterThanOrEqual(x / n);
    }
  });
});
