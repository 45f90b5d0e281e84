import { describe, expect, it } from "vitest";
import type { ReportableRow } from "@/lib/measures";
import { changeOf, funnelPlotOf, longRunMonths, spcChartOf } from "@/lib/views/comparison";

// What the funnel plot, the control chart and the change marks draw (issue 14), on rows whose
// expected values were worked out by hand (binomial tails as sums of C(n, k)/2^n, Laney limits
// with a calculator).

function row(numerator: number | null, denominator: number | null, over: Partial<ReportableRow> = {}): ReportableRow {
  const rate = numerator !== null && denominator ? numerator / denominator : null;
  return {
    payerKey: null,
    payerName: null,
    planId: null,
    planName: null,
    productLine: null,
    month: null,
    unattributed: false,
    denominator,
    numerator,
    pending: 0,
    rate,
    ciLow: null,
    ciHigh: null,
    flags: [],
    visibility: { denominator: "shown", numerator: "shown", pending: "shown", rateHidden: false },
    ...over,
  };
}
const hidden = (over: Partial<ReportableRow["visibility"]>) => ({ visibility: { denominator: "shown", numerator: "shown", pending: "shown", rateHidden: false, ...over } as ReportableRow["visibility"] });

describe("funnelPlotOf", () => {
  const centre = row(500, 1000); // p0 = 0.5
  it("places each unit by its exact binomial tail around the all-payer rate", () => {
    const plot = funnelPlotOf(
      [
        // 10 of 10: P(X ≥ 10) = 1/1024 = 0.00098 < 0.001 → beyond the 99.8% limit.
        { key: "a", name: "A", row: row(10, 10) },
        // 9 of 10: P(X ≥ 9) = 11/1024 = 0.0107 < 0.025 → beyond the 95% limit only.
        { key: "b", name: "B", row: row(9, 10) },
        // 3 of 3: P(X ≥ 3) = 1/8 → within, however high 100% looks.
        { key: "c", name: "C", row: row(3, 3) },
        // 0 of 40: P(X ≤ 0) = 2^-40 → below the 99.8% limit.
        { key: "d", name: "D", row: row(0, 40) },
        // 1 of 10: P(X ≤ 1) = 11/1024 → below the 95% limit.
        { key: "e", name: "E", href: "/payers/e", row: row(1, 10) },
      ],
      centre,
      "All payers",
      { rate: 0.8, label: "Goal" },
    );
    expect(plot.centre).toBe(0.5);
    expect(plot.units.map((u) => [u.key, u.position, u.lowVolume])).toEqual([
      ["a", "above_998", true],
      ["b", "above_95", true],
      ["c", "within", true],
      ["d", "below_998", false],
      ["e", "below_95", true],
    ]);
    expect(plot.units[4]!.href).toBe("/payers/e");
    expect(plot.leftOut).toEqual([]);
    // The funnel reaches past the largest unit (40 × 1.15 = 46), limits at both levels.
    expect(plot.maxN).toBe(46);
    expect(plot.limits.map((l) => l.level)).toEqual([0.95, 0.998]);
    expect(plot.limits[0]!.points.at(-1)!.n).toBe(46);
    // Narrower at 46 than at 1, and the 99.8% limits outside the 95% ones.
    const [l95, l998] = plot.limits.map((l) => l.points.at(-1)!);
    expect(l998!.lower).toBeLessThan(l95!.lower);
    expect(l998!.upper).toBeGreaterThan(l95!.upper);
    expect(plot.target).toEqual({ rate: 0.8, label: "Goal" });
  });

  it("leaves out a unit with any hidden count, and says why; no limits without a shown centre", () => {
    const plot = funnelPlotOf(
      [
        { key: "small", name: "Small", row: row(null, 30, hidden({ numerator: "small", rateHidden: true })) },
        { key: "next", name: "Next smallest", row: row(null, null, hidden({ numerator: "complementary", denominator: "complementary", rateHidden: true })) },
        { key: "empty", name: "Empty", row: row(0, 0) },
        { key: "ok", name: "Shown", row: row(20, 40) },
      ],
      row(null, null, hidden({ numerator: "small", denominator: "small", rateHidden: true })),
      "All payers",
      null,
    );
    expect(plot.units.map((u) => u.key)).toEqual(["ok"]);
    expect(plot.leftOut).toEqual([
      { key: "small", name: "Small", reason: "hidden" },
      { key: "next", name: "Next smallest", reason: "hidden" },
      { key: "empty", name: "Empty", reason: "no_data" },
    ]);
    expect(plot.centre).toBeNull();
    expect(plot.centreMissing).toBe("the all-payer rate rests on small numbers and is hidden");
    expect(plot.limits).toEqual([]);
    expect(funnelPlotOf([], null, "All payers", null).centreMissing).toBe("the all-payer rate is withheld from this view");
  });
});

describe("spcChartOf", () => {
  const month = (m: string, x: number | null, n: number, over: Partial<ReportableRow> = {}) => row(x, n, { month: m, ...over });

  it("draws Laney limits from the complete months; a provisional month is plotted and judged, not counted", () => {
    // Complete months 10/20, 10/20, 12/20, 8/20: p̄ = 40/80 = 0.5, σi = √(0.25/20) = 0.111803;
    // z = 0, 0, 0.894427, −0.894427; moving ranges 0, 0.894427, 1.788854, mean 0.894427;
    // σz = 0.894427 / 1.128 = 0.792932; half-width 3 × 0.111803 × 0.792932 = 0.265957.
    const chart = spcChartOf(
      [
        month("2025-01", 10, 20),
        month("2025-02", 10, 20),
        month("2025-03", 12, 20),
        month("2025-04", 8, 20),
        // Provisional 20/20: would move p̄ to 60/100 if counted; plotted, beyond the limit.
        month("2025-05", 20, 20, { flags: ["provisional"] }),
        // More pending than counted: not plotted.
        month("2025-06", 1, 2, { pending: 30 }),
        // Hidden counts: not plotted.
        month("2025-07", null, 15, { ...hidden({ numerator: "small", rateHidden: true }), rate: null }),
        month("2025-08", 0, 0),
      ],
      null,
    );
    expect(chart.centre).toBe(0.5);
    expect(chart.sigmaZ).toBeCloseTo(0.792932, 5);
    expect(chart.months.map((m) => m.state)).toEqual(["counted", "counted", "counted", "counted", "provisional", "early", "hidden", "empty"]);
    expect(chart.months[0]!.upper).toBeCloseTo(0.765957, 5);
    expect(chart.months[0]!.lower).toBeCloseTo(0.234043, 5);
    expect(chart.months.map((m) => m.outside)).toEqual([false, false, false, false, true, false, false, false]);
    expect(chart.months.slice(5).map((m) => m.rate)).toEqual([null, null, null]);
    // Four useful points (the two on the centre line do not count): 12/20 above, 8/20 below.
    expect(chart.runs).toMatchObject({ useful: 2, crossings: 1, signal: false });
  });

  it("marks the months of a run longer than the Anhøj limit", () => {
    // 12 complete months: 8 above the centre, then 4 below. Useful points 12: the run limit is
    // round(log2(12) + 3) = round(6.585) = 7, and a run of 8 exceeds it.
    const xs = [14, 13, 14, 13, 14, 13, 14, 13, 6, 7, 6, 7];
    const chart = spcChartOf(
      xs.map((x, i) => month(`2025-${String(i + 1).padStart(2, "0")}`, x, 20)),
      { rate: 0.9, label: "Goal" },
    );
    // p̄ = (4 × 27 + 2 × 13) / 240 = 134/240 = 0.558333: the first eight above, the rest below.
    expect(chart.centre).toBeCloseTo(0.558333, 5);
    expect(chart.runs).toMatchObject({ useful: 12, longestRun: 8, longestRunLimit: 7, signal: true });
    expect(chart.months.map((m) => m.inLongRun)).toEqual([true, true, true, true, true, true, true, true, false, false, false, false]);
    expect(chart.target).toEqual({ rate: 0.9, label: "Goal" });
  });

  it("has no limits with fewer than two complete months", () => {
    const chart = spcChartOf([month("2025-01", 5, 20), month("2025-02", 5, 20, { flags: ["provisional"] })], null);
    expect(chart.centre).toBeNull();
    expect(chart.missing).toBe("a control chart needs at least two complete months with rates shown");
    expect(chart.months.map((m) => m.rate)).toEqual([0.25, 0.25]);
  });
});

describe("longRunMonths", () => {
  it("marks only runs longer than the limit; points on the centre line neither break nor extend", () => {
    expect(longRunMonths([0.6, 0.6, 0.5, 0.6, 0.4, 0.4, null, 0.4], 0.5, 2)).toEqual([true, true, false, true, true, true, false, true]);
    expect(longRunMonths([0.6, 0.6, 0.4, 0.4], 0.5, 2)).toEqual([false, false, false, false]);
  });
});

describe("changeOf", () => {
  it("tests the change with the pooled two-proportion z-test", () => {
    // 60/100 against 40/100: pooled 0.5, z = 0.2 / √(0.25 × 0.02) = 2.828, P = 0.0047.
    const up = changeOf(row(60, 100), row(40, 100));
    expect(up.verdict).toBe("significant");
    expect(up.difference).toBeCloseTo(0.2, 10);
    expect(up.test!.z).toBeCloseTo(2.828427, 5);
    expect(up.test!.pValue).toBeCloseTo(0.00468, 4);
    // 52/100 against 48/100: z = 0.04 / 0.070711 = 0.566, P = 0.571.
    const flat = changeOf(row(52, 100), row(48, 100));
    expect(flat.verdict).toBe("not_significant");
    expect(flat.test!.pValue).toBeCloseTo(0.5716, 3);
  });

  it("does not test what it cannot", () => {
    expect(changeOf(row(0, 0), row(4, 10))).toMatchObject({ difference: null, verdict: "not_tested", reason: "no rate to compare" });
    expect(changeOf(row(null, 40, { ...hidden({ numerator: "small" }), rate: 0.2 }), row(20, 40))).toMatchObject({ verdict: "not_tested", reason: "counts hidden (small numbers)" });
    expect(changeOf(row(10, 10), row(20, 20))).toMatchObject({ difference: 0, verdict: "not_tested", reason: "both rates 0% or both 100%" });
  });
});
