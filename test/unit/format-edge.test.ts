import { describe, expect, it } from "vitest";
import { formatImportProblem, formatPeriod, formatRateWithN, parseDateInput } from "@/lib/format";

// Formatting at the edge (issue 13): dates written and read one way, monthly rates with the n
// they rest on, import problems without empty parts.

describe("parseDateInput (item 11: a date is typed as the pages write it)", () => {
  it.each([
    ["1 Jul 2025", "2025-07-01"],
    ["01 jul 2025", "2025-07-01"],
    ["1 July 2025", "2025-07-01"],
    ["30 Sept 2025", "2025-09-30"],
    ["  29 Feb 2024 ", "2024-02-29"],
    ["2025-07-01", "2025-07-01"],
    ["2025-7-1", "2025-07-01"],
  ])("%j is %s", (text, iso) => {
    expect(parseDateInput(text)).toBe(iso);
  });

  it.each(["", "07/01/2025", "1/7/2025", "29 Feb 2025", "31 Apr 2025", "2025-02-30", "1 Juy 2025", "Jul 2025", "1 Jul 25", "tomorrow"])("%j is not a date", (text) => {
    expect(parseDateInput(text)).toBeNull();
  });
});

describe("formatPeriod", () => {
  it("writes both ends as the pages write dates", () => {
    expect(formatPeriod("2025-01-01", "2025-12-31")).toBe("1 Jan 2025 – 31 Dec 2025");
  });
});

describe("formatRateWithN (item 6: a monthly rate shows the n it rests on)", () => {
  const row = (rate: number | null, denominator: number | null, visibility: "shown" | "small" | "complementary" = "shown", rateHidden = false) => ({
    rate,
    denominator,
    visibility: { rateHidden, denominator: visibility },
  });
  it("gives the rate and its denominator", () => {
    expect(formatRateWithN(row(22 / 35, 35))).toBe("62.9% (n=35)");
  });
  it("marks a hidden denominator as suppression does", () => {
    expect(formatRateWithN(row(null, null, "small", true))).toBe("Hidden (small numbers) (n<11)");
  });
  it("says Data not available, without an n, when there is nothing to count", () => {
    expect(formatRateWithN(row(null, 0))).toBe("Data not available");
  });
});

describe("formatImportProblem (item 21: no '-: :' noise)", () => {
  it("drops the empty column and value of a problem of a whole row", () => {
    expect(formatImportProblem("orders.csv:5: -: : row has 3 fields, the header has 6")).toBe("orders.csv:5: row has 3 fields, the header has 6");
  });
  it("drops them from a problem of a whole file", () => {
    expect(formatImportProblem("claims.csv:1: -: : unknown file name: an import holds plans.csv, …")).toBe("claims.csv:1: unknown file name: an import holds plans.csv, …");
  });
  it("keeps a problem of a cell whole", () => {
    expect(formatImportProblem("orders.csv:2: order_date: 2024-02-30: not a calendar date")).toBe("orders.csv:2: order_date: 2024-02-30: not a calendar date");
    expect(formatImportProblem("orders.csv:2: status: -: not a status")).toBe("orders.csv:2: status: -: not a status");
  });
});
