import { describe, expect, it } from "vitest";
import type { ReportableRow } from "@/lib/measures";
import { allPayersLabel, hasPlottedPoint, keepTrendLine, provisionalMonths, trendPoint } from "@/lib/views/trend";

// What a trend chart draws (issue 13): a point only for a month mostly counted, hollow when low
// volume, "Data not available" when no line has a point (item 3), Unknown payer's line when it
// has orders (item 9), the all-payer reference named for what it covers (item 4).

function row(over: Partial<ReportableRow>): ReportableRow {
  return {
    payerKey: null,
    payerName: null,
    planId: null,
    planName: null,
    productLine: null,
    month: "2025-01",
    unattributed: false,
    denominator: 10,
    numerator: 5,
    pending: 0,
    rate: 0.5,
    ciLow: 0.24,
    ciHigh: 0.76,
    flags: ["low_volume"],
    visibility: { denominator: "shown", numerator: "shown", pending: "shown", rateHidden: false },
    ...over,
  };
}

describe("trendPoint", () => {
  it("plots a month with its interval, hollow when low volume", () => {
    expect(trendPoint(row({}))).toEqual({ rate: 0.5, ciLow: 0.24, ciHigh: 0.76, lowVolume: true });
    expect(trendPoint(row({ denominator: 40, numerator: 20, flags: [] })).lowVolume).toBe(false);
  });
  it("does not plot a month with more pending than counted, nor its interval", () => {
    expect(trendPoint(row({ pending: 11 }))).toEqual({ rate: null, ciLow: null, ciHigh: null, lowVolume: true });
  });
});

describe("hasPlottedPoint (item 3)", () => {
  it("is false when every line's months are hidden or pending", () => {
    const hidden = trendPoint(row({ rate: null, ciLow: null, ciHigh: null, denominator: null, visibility: { denominator: "small", numerator: "small", pending: "shown", rateHidden: true } }));
    const pending = trendPoint(row({ pending: 30 }));
    expect(hasPlottedPoint([[hidden, pending], [pending]])).toBe(false);
    expect(hasPlottedPoint([])).toBe(false);
  });
  it("is true when one month of one line is drawn", () => {
    expect(hasPlottedPoint([[trendPoint(row({ pending: 30 }))], [trendPoint(row({}))]])).toBe(true);
  });
});

describe("keepTrendLine (item 9)", () => {
  const result = (denominator: number, pending: number) => ({ query: {} as never, suppressed: false, rows: [], total: row({ month: null, denominator, pending }) });
  it("keeps the five listed payers always", () => {
    expect(keepTrendLine("aetna", true, result(0, 0))).toBe(true);
  });
  it("keeps Unknown payer and other payers only when they have something", () => {
    expect(keepTrendLine("unknown", true, result(0, 0))).toBe(false);
    expect(keepTrendLine("unknown", true, result(11, 0))).toBe(true);
    expect(keepTrendLine("humana", false, result(0, 3))).toBe(true);
    expect(keepTrendLine("humana", false, result(0, 0))).toBe(false);
  });
  it("keeps a line whose counts suppression hid (it is not empty)", () => {
    const hidden = { query: {} as never, suppressed: true, rows: [], total: row({ month: null, denominator: null, visibility: { denominator: "small", numerator: "small", pending: "shown", rateHidden: true }, pending: 0 }) };
    expect(keepTrendLine("humana", false, hidden)).toBe(true);
  });
});

describe("provisionalMonths and allPayersLabel", () => {
  it("lists the months flagged provisional", () => {
    expect(provisionalMonths([row({ month: "2026-04", flags: [] }), row({ month: "2026-05", flags: ["provisional"] })])).toEqual(["2026-05"]);
  });
  it("names the reference by the product lines it keeps, never by a payer or plan", () => {
    expect(allPayersLabel({ productLines: [] }, {})).toBe("All payers");
    expect(allPayersLabel({ productLines: ["commercial", "medicaid"] }, { commercial: "Commercial", medicaid: "Medicaid" })).toBe("All payers (Commercial, Medicaid)");
  });
});
