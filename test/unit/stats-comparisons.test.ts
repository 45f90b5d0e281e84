import { describe, expect, it } from "vitest";
import { binomialCdf, binomialQuantile, normalCdf } from "@/lib/stats/distributions";
import { funnelLimits, funnelPosition } from "@/lib/stats/funnel";
import { twoProportionTest } from "@/lib/stats/proportions";
import { anhojRules, laneyPPrime } from "@/lib/stats/spc";

// The comparisons and control charts of issue 14 against values worked out independently: exact
// binomial sums and erf (Python's math.comb and math.erf, whose outputs are quoted here), and
// sums done by hand in the comments.

describe("distributions", () => {
  it("the normal distribution function", () => {
    expect(normalCdf(0)).toBe(0.5);
    expect(normalCdf(1.959964)).toBeCloseTo(0.9750000009035575, 10);
    expect(normalCdf(-1)).toBeCloseTo(0.15865525393145707, 10);
  });

  it("the binomial distribution function and quantile", () => {
    // (1 + 10 + 45 + 120) / 1024
    expect(binomialCdf(3, 10, 0.5)).toBeCloseTo(0.171875, 12);
    expect(binomialCdf(40, 100, 0.5)).toBeCloseTo(0.028443966820490392, 10);
    // Binomial(23, ½): P(X ≤ 7) = 390,656 / 8,388,608 = 0.0466 < 0.05 ≤ P(X ≤ 8) = 880,970 / 8,388,608.
    expect(binomialQuantile(0.05, 23, 0.5)).toBe(8);
    expect(binomialQuantile(0.025, 100, 0.5)).toBe(40);
  });
});

describe("funnel limits (exact binomial, Spiegelhalter's interpolation)", () => {
  it.each([
    // n, p0, 95% lower, 95% upper, 99.8% lower, 99.8% upper — from exact binomial sums.
    [100, 0.5, 0.396824041726007, 0.5931759582739929, 0.3412158837225012, 0.6487841162774984],
    [20, 0.6, 0.35559346331995334, 0.787083976804197, 0.22637977197539053, 0.8922921045722889],
    [500, 0.2, 0.16449460671111482, 0.23464640782557875, 0.14548955827279267, 0.2558946550060107],
  ])("n = %i around %f", (n, p0, low95, high95, low998, high998) => {
    expect(funnelLimits(0.95, n, p0).lower).toBeCloseTo(low95, 9);
    expect(funnelLimits(0.95, n, p0).upper).toBeCloseTo(high95, 9);
    expect(funnelLimits(0.998, n, p0).lower).toBeCloseTo(low998, 9);
    expect(funnelLimits(0.998, n, p0).upper).toBeCloseTo(high998, 9);
  });

  it("a small plan's 0% or 100% is within; a large one's extreme rate is not (exact tails)", () => {
    // n = 3 around 60%: P(X ≥ 3) = 0.216, P(X ≤ 0) = 0.064: neither unusual.
    expect(funnelPosition(0, 3, 0.6)).toBe("within");
    expect(funnelPosition(3, 3, 0.6)).toBe("within");
    // n = 500 around 20%: P(X ≥ 118) = 0.0269 (within), P(X ≥ 119) = 0.0209 (above 95%),
    // P(X ≥ 130) = 0.00068 (above 99.8%), P(X ≤ 80) = 0.0130, P(X ≤ 70) = 0.00030.
    expect(funnelPosition(118, 500, 0.2)).toBe("within");
    expect(funnelPosition(119, 500, 0.2)).toBe("above_95");
    expect(funnelPosition(130, 500, 0.2)).toBe("above_998");
    expect(funnelPosition(80, 500, 0.2)).toBe("below_95");
    expect(funnelPosition(70, 500, 0.2)).toBe("below_998");
    expect(funnelPosition(100, 500, 0.2)).toBe("within");
  });
});

describe("Laney p′ chart", () => {
  // x/n: 10/100, 20/100, 15/100, 30/200 → p̄ = 75/500 = 0.15. σ(100) = √(0.15·0.85/100) =
  // 0.0357071421, σ(200) = 0.0252487623. z = −1.40028008, +1.40028008, 0, 0; moving ranges
  // 2.80056016, 1.40028008, 0 → mean 1.40028008 → σz = 1.40028008 / 1.128 = 1.24138305.
  // Limits: n = 100: 0.15 ± 3 · 0.0357071421 · 1.24138305 = 0.15 ± 0.13297872 (= 0.15 / 1.128,
  //         since every z at n = 100 is ±0.05 / σ); n = 200: 0.15 ± 3 · 0.0252487623 ·
  //         1.24138305 = 0.15 ± 0.09403016.
  const months = [
    { month: "2025-01", numerator: 10, denominator: 100, provisional: false },
    { month: "2025-02", numerator: 20, denominator: 100, provisional: false },
    { month: "2025-03", numerator: 15, denominator: 100, provisional: false },
    { month: "2025-04", numerator: 30, denominator: 200, provisional: false },
  ];

  it("centre line, σz and each month's limits", () => {
    const chart = laneyPPrime(months)!;
    expect(chart.centre).toBeCloseTo(0.15, 12);
    expect(chart.sigmaZ).toBeCloseTo(1.24138305, 7);
    expect(chart.months[0]!.lower).toBeCloseTo(0.01702128, 7);
    expect(chart.months[0]!.upper).toBeCloseTo(0.28297872, 7);
    expect(chart.months[3]!.lower).toBeCloseTo(0.05596984, 7);
    expect(chart.months[3]!.upper).toBeCloseTo(0.24403016, 7);
    expect(chart.months.every((m) => !m.outside)).toBe(true);
  });

  it("a provisional month is judged against the limits but does not move them", () => {
    const chart = laneyPPrime([...months, { month: "2025-05", numerator: 50, denominator: 100, provisional: true }])!;
    expect(chart.centre).toBeCloseTo(0.15, 12);
    expect(chart.sigmaZ).toBeCloseTo(1.24138305, 7);
    expect(chart.months[4]).toMatchObject({ rate: 0.5, outside: true });
  });

  it("a month without denominator has no point", () => {
    const chart = laneyPPrime([...months, { month: "2025-05", numerator: 0, denominator: 0, provisional: false }])!;
    expect(chart.months[4]).toEqual({ month: "2025-05", rate: null, lower: null, upper: null, outside: false });
  });
});

describe("Anhøj run rules", () => {
  it("limits: round(log2 n + 3) for runs, the 5th percentile of Binomial(n − 1, ½) for crossings", () => {
    // n → (run limit, crossings limit), from the binomial sums (e.g. n = 20: P(X ≤ 5) = 16,664 /
    // 524,288 = 0.032 < 0.05 ≤ P(X ≤ 6) = 43,796 / 524,288).
    for (const [n, run, crossings] of [
      [10, 6, 2],
      [12, 7, 3],
      [20, 7, 6],
      [24, 8, 8],
      [30, 8, 10],
    ] as const) {
      const alternating = Array.from({ length: n }, (_, i) => (i % 2 === 0 ? 1 : -1));
      const r = anhojRules(alternating, 0);
      expect([r.useful, r.longestRunLimit, r.crossingsLimit]).toEqual([n, run, crossings]);
    }
  });

  it("signals a shift: a run of 9 of 20 on one side (limit 7)", () => {
    const values = [1, -1, 1, -1, 1, -1, 1, -1, 1, -1, 1, 1, 1, 1, 1, 1, 1, 1, 1, -1];
    const r = anhojRules(values, 0);
    expect([r.longestRun, r.crossings]).toEqual([9, 11]);
    expect(r.signal).toBe(true);
  });

  it("signals too few crossings: 20 points crossing 5 times (limit 6) with no run over 7", () => {
    // Runs of 4, 3, 4, 3, 3, 3: 5 crossings.
    const values = [1, 1, 1, 1, -1, -1, -1, 1, 1, 1, 1, -1, -1, -1, 1, 1, 1, -1, -1, -1];
    const r = anhojRules(values, 0);
    expect([r.longestRun, r.crossings]).toEqual([4, 5]);
    expect(r.signal).toBe(true);
  });

  it("no signal for random-looking variation; points on the centre line are not counted", () => {
    const values = [1, -1, -1, 1, 1, -1, 1, -1, -1, 1, 0, 1, -1, 1, 1, -1, -1, 1, -1, 1, -1];
    const r = anhojRules(values, 0);
    expect(r.useful).toBe(20);
    expect(r.longestRun).toBe(2);
    expect(r.crossings).toBeGreaterThanOrEqual(6);
    expect(r.signal).toBe(false);
  });
});

describe("two-proportion z-test", () => {
  it.each([
    // x1, n1, x2, n2, z, p (pooled p, √(p(1−p)(1/n1+1/n2)); Φ from erf)
    [45, 100, 56, 100, -1.5557127061904528, 0.11977642377972275, false],
    [600, 1000, 550, 1000, 2.2616563651595003, 0.02371864263219159, true],
  ])("%i/%i vs %i/%i", (x1, n1, x2, n2, z, p, significant) => {
    const t = twoProportionTest(x1, n1, x2, n2)!;
    expect(t.z).toBeCloseTo(z, 10);
    expect(t.pValue).toBeCloseTo(p, 9);
    expect(t.significant).toBe(significant);
  });

  it("no test without a denominator or without variance", () => {
    expect(twoProportionTest(1, 0, 1, 10)).toBeNull();
    expect(twoProportionTest(0, 10, 0, 10)).toBeNull();
    expect(twoProportionTest(10, 10, 20, 20)).toBeNull();
  });
});
