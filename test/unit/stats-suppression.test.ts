import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { toReportable } from "@/lib/measures/reportable";
import type { MeasureGroup, MeasureResult, MeasureRow } from "@/lib/measures/types";
import { isSmallCount as isSmall, rateIsHidden, showCount, showCounts, suppressBreakdown, suppressSingle, type Counts, type Visibility } from "@/lib/stats/suppression";
import { wilsonInterval } from "@/lib/stats/wilson";

// SPEC section 5, small-cell suppression: a count from 1 to 10 is shown as `<11`; a rate is
// hidden when its numerator, its denominator, or denominator − numerator is from 1 to 10; where
// a breakdown would let a hidden cell be worked out from the total (exactly one hidden cell),
// the next-smallest cell is hidden too.

const counts = (denominator: number, numerator: number, pending = 0): Counts => ({ denominator, numerator, pending });

describe("suppressSingle: counts from 1 to 10 are hidden as small", () => {
  it.each([
    [0, "shown"],
    [1, "small"],
    [5, "small"],
    [10, "small"],
    [11, "shown"],
    [250, "shown"],
  ] as const)("a count of %i is %s", (n, expected) => {
    const v = suppressSingle(counts(n, n, n));
    expect([v.denominator, v.numerator, v.pending]).toEqual([expected, expected, expected]);
  });

  it("reports the rate of a single row hidden by the same rule as rateIsHidden", () => {
    expect(suppressSingle(counts(40, 20, 3))).toEqual({ denominator: "shown", numerator: "shown", pending: "small", rateHidden: false });
    // 35 of 40: the difference 5 is small. Shown together, 40 and 35 would give it away, so
    // the numerator is hidden too — as `≥11`, which is true (it is 35).
    expect(suppressSingle(counts(40, 35, 0))).toEqual({ denominator: "shown", numerator: "complementary", pending: "shown", rateHidden: true });
  });

  it("never shows a denominator and a numerator whose difference is from 1 to 10", () => {
    // The defect this rule closes: a month row of 17 with 16 completed, its rate blank, told
    // the reader that exactly 1 order was not completed.
    for (let d = 0; d <= 60; d++) {
      for (let n = 0; n <= d; n++) {
        const v = suppressSingle(counts(d, n));
        if (v.denominator === "shown" && v.numerator === "shown") expect(d - n === 0 || d - n > 10, `${n} of ${d}`).toBe(true);
        // Whatever is hidden as complementary is at least 11, so `≥11` never lies.
        if (v.numerator === "complementary") expect(n).toBeGreaterThanOrEqual(11);
      }
    }
  });
});

describe("rateIsHidden", () => {
  it.each([
    // [denominator, numerator, hidden, why]
    [0, 0, false, "no rate at all (not available)"],
    [11, 0, false, "numerator 0, denominator 11, difference 11"],
    [11, 11, false, "difference 0"],
    [22, 11, false, "all of 22, 11, 11 shown"],
    [21, 11, true, "difference 10"],
    [21, 10, true, "numerator 10"],
    [10, 0, true, "denominator 10"],
    [10, 10, true, "denominator 10, difference 0"],
    [5, 1, true, "numerator 1"],
    [12, 11, true, "difference 1"],
    [1000, 1, true, "numerator 1"],
    [1000, 989, false, "difference 11"],
    [1000, 990, true, "difference 10"],
  ] as const)("n = %i, x = %i → hidden %s (%s)", (denominator, numerator, hidden, _why) => {
    expect(rateIsHidden(counts(denominator, numerator))).toBe(hidden);
  });
});

/** What someone outside the quality team can do with a shown breakdown: the total minus the
 *  shown cells of a column. Returns the value of the hidden cell when exactly one is hidden
 *  (it can be worked out), null when two or more are (it cannot). */
function recoverBySubtraction(total: number, column: (number | null)[]): { index: number; value: number } | null {
  const hidden = column.flatMap((c, i) => (c === null ? [i] : []));
  if (hidden.length !== 1) return null;
  const shownSum = column.reduce<number>((s, c) => s + (c ?? 0), 0);
  return { index: hidden[0]!, value: total - shownSum };
}
const visibleColumn = (rows: Counts[], v: Visibility[], name: keyof Counts) => rows.map((r, i) => (v[i]![name] === "shown" ? r[name] : null));
const sum = (rows: Counts[], name: keyof Counts) => rows.reduce((s, r) => s + r[name], 0);

describe("suppressBreakdown: complementary hiding", () => {
  // Denominators by payer: one small cell (7); the next-smallest non-zero cell is 25.
  const rows = [counts(40, 20), counts(7, 4), counts(0, 0), counts(25, 12), counts(90, 45)];

  it("hides small cells, and the next-smallest non-zero cell of a column with exactly one hidden cell", () => {
    const v = suppressBreakdown(rows);
    expect(v.map((x) => x.denominator)).toEqual(["shown", "small", "shown", "complementary", "shown"]);
    // Numerators 20, 4, 0, 12, 45: 4 is the only small one; the next-smallest non-zero is 12
    // (not the 0 of the empty row).
    expect(v.map((x) => x.numerator)).toEqual(["shown", "small", "shown", "complementary", "shown"]);
  });

  it("a hidden cell can no longer be worked out from the total", () => {
    // Without the complementary cell, subtraction gives the small cell back exactly…
    const onlySmallHidden = rows.map((r) => (r.denominator >= 1 && r.denominator <= 10 ? null : r.denominator));
    expect(recoverBySubtraction(sum(rows, "denominator"), onlySmallHidden)).toEqual({ index: 1, value: 7 });
    // …with it, the attempt fails: two unknowns, one equation.
    const v = suppressBreakdown(rows);
    expect(recoverBySubtraction(sum(rows, "denominator"), visibleColumn(rows, v, "denominator"))).toBeNull();
    expect(recoverBySubtraction(sum(rows, "numerator"), visibleColumn(rows, v, "numerator"))).toBeNull();
    // And no single-unknown column is left anywhere in the breakdown.
    for (const name of ["denominator", "numerator", "pending"] as const) {
      expect(recoverBySubtraction(sum(rows, name), visibleColumn(rows, v, name))).toBeNull();
    }
  });

  it("two hidden cells in a column: no complementary hiding", () => {
    const v = suppressBreakdown([counts(40, 20), counts(7, 0), counts(3, 0), counts(25, 12)]);
    expect(v.map((x) => x.denominator)).toEqual(["shown", "small", "small", "shown"]);
    expect(v.map((x) => x.numerator)).toEqual(["shown", "shown", "shown", "shown"]);
  });

  it("no hidden cell: nothing is hidden", () => {
    const v = suppressBreakdown([counts(40, 20), counts(25, 12), counts(0, 0)]);
    expect(v.every((x) => x.denominator === "shown" && x.numerator === "shown" && x.pending === "shown" && !x.rateHidden)).toBe(true);
  });

  it("zeros are never picked as the complementary cell", () => {
    // Pending 0, 3, 0, 0: the one hidden cell has only zeros beside it; none is picked (a zero
    // hides nothing) and the column keeps its zeros.
    const v = suppressBreakdown([counts(40, 20, 0), counts(30, 15, 3), counts(0, 0, 0), counts(50, 25, 0)]);
    expect(v.map((x) => x.pending)).toEqual(["shown", "small", "shown", "shown"]);
    // With one non-zero cell beside zeros, that cell is picked, not a zero smaller than it.
    const w = suppressBreakdown([counts(40, 20, 0), counts(30, 15, 3), counts(0, 0, 0), counts(50, 25, 400)]);
    expect(w.map((x) => x.pending)).toEqual(["shown", "small", "shown", "complementary"]);
  });

  it("picks the smallest non-zero shown cell, however the rows are ordered", () => {
    const v = suppressBreakdown([counts(300, 150), counts(12, 6), counts(2, 2), counts(80, 40), counts(11, 11)]);
    // Denominators 300, 12, 2, 80, 11 → 2 small, 11 the next-smallest.
    expect(v.map((x) => x.denominator)).toEqual(["shown", "shown", "small", "shown", "complementary"]);
  });

  it("each column is judged on its own", () => {
    // Denominators all ≥ 11; numerators 5 and 30: one hidden numerator, so the next-smallest
    // non-zero numerator (30) is hidden too, while every denominator stays shown.
    const v = suppressBreakdown([counts(60, 5), counts(50, 30), counts(70, 40)]);
    expect(v.map((x) => x.denominator)).toEqual(["shown", "shown", "shown"]);
    expect(v.map((x) => x.numerator)).toEqual(["small", "complementary", "shown"]);
  });

  it("a row whose numerator or denominator is hidden has its rate hidden", () => {
    const v = suppressBreakdown([counts(60, 5), counts(50, 30), counts(70, 40)]);
    // Row 0: numerator small; row 1: numerator complementary (its rate would give it back);
    // row 2: 40 of 70, difference 30, all shown.
    expect(v.map((x) => x.rateHidden)).toEqual([true, true, false]);
    // Denominator complementary (40 of 80 would otherwise be a shown rate): hidden too.
    const w = suppressBreakdown([counts(8, 0), counts(80, 40), counts(200, 100)]);
    expect(w.map((x) => x.denominator)).toEqual(["small", "complementary", "shown"]);
    expect(w.map((x) => x.rateHidden)).toEqual([true, true, false]);
  });

  it("a small difference hides the numerator, and then the column's next-smallest numerator", () => {
    const v = suppressBreakdown([counts(30, 25), counts(50, 25)]);
    // Row 0: 30 − 25 = 5, so its numerator goes (≥11); it is then the column's one hidden
    // cell, and the total would give it back: row 1's numerator (the next-smallest) goes too.
    expect(v[0]).toEqual({ denominator: "shown", numerator: "complementary", pending: "shown", rateHidden: true });
    expect(v[1]).toEqual({ denominator: "shown", numerator: "complementary", pending: "shown", rateHidden: true });
  });
});

// ---------------------------------------------------------------------------------------------
// toReportable: the one function screen and CSV call.

const GROUP: MeasureGroup = { payerKey: null, payerName: null, planId: null, planName: null, productLine: null, month: null, unattributed: false };

function measureRow(payerKey: string | null, denominator: number, numerator: number, pending: number): MeasureRow {
  const ci = wilsonInterval(numerator, denominator);
  return {
    ...GROUP,
    payerKey,
    payerName: payerKey,
    denominator,
    numerator,
    pending,
    rate: denominator > 0 ? numerator / denominator : null,
    ciLow: ci?.low ?? null,
    ciHigh: ci?.high ?? null,
    flags: denominator === 0 ? ["not_available"] : denominator < 20 ? ["low_volume"] : [],
  };
}

function result(): MeasureResult {
  const rows = [
    measureRow("aetna", 40, 20, 0), // pending 0 shown; rate 20/40, difference 20: shown
    measureRow("bcbs", 7, 4, 2), // every count small
    measureRow("cigna", 0, 0, 0), // not available
    measureRow("uhc", 25, 12, 15), // denominator and numerator complementary; pending 15 the next-smallest non-zero
    measureRow("medicare", 90, 45, 30),
  ];
  const total = measureRow(null, 162, 81, 47);
  return {
    query: { measure: "order_follow_up", from: "2025-01-01", to: "2025-12-31", window: 90, asOf: "2026-01-31", groupBy: "payer" },
    rows,
    total,
  };
}

describe("toReportable", () => {
  it("with suppression, nulls every hidden number (counts, rate, ciLow, ciHigh) and flags the row", () => {
    const r = toReportable(result(), true);
    expect(r.suppressed).toBe(true);
    const [aetna, bcbs, cigna, uhc, medicare] = r.rows;

    expect(aetna).toMatchObject({ denominator: 40, numerator: 20, pending: 0, rate: 0.5, flags: [] });
    expect(aetna!.ciLow).toBeCloseTo(wilsonInterval(20, 40)!.low, 12);

    expect(bcbs).toMatchObject({
      denominator: null,
      numerator: null,
      pending: null,
      rate: null,
      ciLow: null,
      ciHigh: null,
      flags: ["low_volume", "suppressed"],
      visibility: { denominator: "small", numerator: "small", pending: "small", rateHidden: true },
    });

    expect(cigna).toMatchObject({ denominator: 0, numerator: 0, pending: 0, rate: null, ciLow: null, ciHigh: null, flags: ["not_available"] });

    expect(uhc).toMatchObject({
      denominator: null,
      numerator: null,
      pending: null,
      rate: null,
      ciLow: null,
      ciHigh: null,
      flags: ["suppressed"],
      visibility: { denominator: "complementary", numerator: "complementary", pending: "complementary", rateHidden: true },
    });

    expect(medicare).toMatchObject({ denominator: 90, numerator: 45, pending: 30, rate: 0.5, flags: [] });

    // The total (162, 81, 47) has no small count and a shown rate.
    expect(r.total).toMatchObject({ denominator: 162, numerator: 81, pending: 47, rate: 0.5, flags: [] });
    expect(r.total.ciLow).not.toBeNull();

    // Nothing hidden can be worked out from the total by subtraction.
    for (const name of ["denominator", "numerator", "pending"] as const) {
      expect(recoverBySubtraction(r.total[name]!, r.rows.map((row) => row[name]))).toBeNull();
    }
    // Every hidden number is gone from the object itself, not only marked.
    expect(JSON.stringify(r.rows[1])).not.toMatch(/"(denominator|numerator|pending)":[1-9]/);
  });

  it("a total with a small count is suppressed on its own", () => {
    const base = result();
    const r = toReportable({ ...base, total: measureRow(null, 30, 25, 4) }, true);
    expect(r.total).toMatchObject({ denominator: 30, numerator: null, pending: null, rate: null, ciLow: null, ciHigh: null, flags: ["suppressed"] });
    expect(r.total.visibility).toEqual({ denominator: "shown", numerator: "complementary", pending: "small", rateHidden: true });
  });

  it("without suppression, keeps every number and adds no flag", () => {
    const base = result();
    const r = toReportable(base, false);
    expect(r.suppressed).toBe(false);
    r.rows.forEach((row, i) => {
      const original = base.rows[i]!;
      expect(row).toMatchObject({
        denominator: original.denominator,
        numerator: original.numerator,
        pending: original.pending,
        rate: original.rate,
        ciLow: original.ciLow,
        ciHigh: original.ciHigh,
        flags: original.flags,
        visibility: { denominator: "shown", numerator: "shown", pending: "shown", rateHidden: false },
      });
    });
    expect(r.total).toMatchObject({ denominator: 162, numerator: 81, pending: 47, flags: [] });
  });

  it("does not modify the result it is given", () => {
    const base = result();
    const copy = structuredClone(base);
    toReportable(base, true);
    expect(base).toEqual(copy);
  });
});

// ---------------------------------------------------------------------------------------------
// The rules as properties, over any breakdown (fast-check draws hundreds of them).

describe("suppressBreakdown: properties of every breakdown", () => {
  const row = fc.nat({ max: 60 }).chain((denominator) =>
    fc.record({ denominator: fc.constant(denominator), numerator: fc.nat({ max: denominator }), pending: fc.nat({ max: 40 }) }),
  );
  const breakdown = fc.array(row, { minLength: 1, maxLength: 8 });

  it("shows no count from 1 to 10, and no denominator beside a numerator whose difference is", () => {
    fc.assert(
      fc.property(breakdown, (rows) => {
        suppressBreakdown(rows).forEach((v, i) => {
          const c = rows[i]!;
          for (const name of ["denominator", "numerator", "pending"] as const) {
            if (v[name] === "shown") expect(isSmall(c[name])).toBe(false);
          }
          if (v.denominator === "shown" && v.numerator === "shown") expect(isSmall(c.denominator - c.numerator)).toBe(false);
          if (!v.rateHidden) expect(rateIsHidden(c)).toBe(false);
        });
      }),
      { seed: 20261129, numRuns: 500 },
    );
  });

  it("leaves no column with a single hidden cell that subtraction from the total would give back", () => {
    fc.assert(
      fc.property(breakdown, (rows) => {
        const v = suppressBreakdown(rows);
        for (const name of ["denominator", "numerator", "pending"] as const) {
          const hidden = rows.filter((_, i) => v[i]![name] !== "shown");
          const shownNonZero = rows.filter((r, i) => v[i]![name] === "shown" && r[name] > 0);
          // One hidden cell is left only when nothing else could be hidden beside it.
          if (hidden.length === 1) expect(shownNonZero).toEqual([]);
        }
      }),
      { seed: 20261129, numRuns: 500 },
    );
  });

  it("marks as ≥11 only counts that are at least 11", () => {
    fc.assert(
      fc.property(breakdown, (rows) => {
        suppressBreakdown(rows).forEach((v, i) => {
          for (const name of ["denominator", "numerator", "pending"] as const) {
            if (v[name] === "complementary") expect(rows[i]![name]).toBeGreaterThanOrEqual(11);
          }
        });
      }),
      { seed: 20261129, numRuns: 500 },
    );
  });
});

describe("showCounts: a breakdown of one total (bins, aging buckets)", () => {
  it("hides small cells and one complementary cell, and nothing without suppression", () => {
    expect(showCounts([40, 3, 25, 0], true)).toEqual([
      { value: 40, visibility: "shown" },
      { value: null, visibility: "small" },
      { value: null, visibility: "complementary" },
      { value: 0, visibility: "shown" },
    ]);
    expect(showCounts([40, 3, 25, 0], false).map((c) => c.value)).toEqual([40, 3, 25, 0]);
    expect(showCount(7, true)).toEqual({ value: null, visibility: "small" });
    expect(showCount(0, true)).toEqual({ value: 0, visibility: "shown" });
  });
});
