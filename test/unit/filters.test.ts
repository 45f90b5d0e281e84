import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { EARLIEST_DATE, MAX_LIST_VALUES, MAX_PARAMETER_LENGTH, parseFilters } from "@/lib/filters";
import { toSearchParams } from "@/lib/reports/request";

// The one filter schema (SPEC sections 6 and 11): every value bounded; an invalid one falls
// back to its default with a notice (a page) and is named in `invalid` (a report's 400).

const AS_OF = "2026-06-25";
const DEFAULTS = { from: "2025-06-01", to: "2026-05-31" };

describe("parseFilters: bounds", () => {
  it("a period of ten years or more falls back to the default period, named", () => {
    const { filters, invalid, notices } = parseFilters({ from: "2015-01-01", to: "2025-01-01" }, AS_OF);
    expect([filters.from, filters.to]).toEqual([DEFAULTS.from, DEFAULTS.to]);
    expect(invalid).toEqual([{ name: "to", value: "2025-01-01", allowed: "a date less than 10 years after from (before 2025-01-01)" }]);
    expect(notices[0]).toMatch(/longer than 10 years/);
    // One day less is allowed.
    expect(parseFilters({ from: "2015-01-01", to: "2024-12-31" }, AS_OF).filters).toMatchObject({ from: "2015-01-01", to: "2024-12-31" });
  });

  it("dates before 1990 or more than a year after the as-of date are refused, each named", () => {
    const { filters, invalid } = parseFilters({ from: "0001-01-01", to: "9999-12-31" }, AS_OF);
    expect([filters.from, filters.to]).toEqual([DEFAULTS.from, DEFAULTS.to]);
    expect(invalid.map((p) => [p.name, p.value])).toEqual([
      ["from", "0001-01-01"],
      ["to", "9999-12-31"],
    ]);
    expect(parseFilters({ to: "2027-06-25" }, AS_OF).invalid).toEqual([]);
    expect(parseFilters({ to: "2027-06-26" }, AS_OF).invalid.map((p) => p.name)).toEqual(["to"]);
    expect(parseFilters({ from: EARLIEST_DATE, to: "1999-12-31" }, AS_OF).invalid).toEqual([]);
    expect(parseFilters({ asOf: "1989-12-31" }, AS_OF).invalid.map((p) => p.name)).toEqual(["asOf"]);
  });

  it("lists hold at most 50 values; a parameter at most 4,000 characters", () => {
    const many = Array.from({ length: MAX_LIST_VALUES + 1 }, (_, i) => `p${i}`).join(",");
    expect(parseFilters({ payer: many }, AS_OF).invalid.map((p) => p.name)).toEqual(["payer"]);
    expect(parseFilters({ plan: "x".repeat(MAX_PARAMETER_LENGTH + 1) }, AS_OF).invalid.map((p) => p.name)).toEqual(["plan"]);
    // A long value is quoted shortened in the notice, not echoed whole.
    expect(parseFilters({ plan: "x".repeat(MAX_PARAMETER_LENGTH + 1) }, AS_OF).notices[0]!.length).toBeLessThan(300);
    expect(parseFilters({ payer: "aetna,aetna,bcbs" }, AS_OF).filters.payers).toEqual(["aetna", "bcbs"]);
  });

  it("__proto__, constructor and repeated names are just parameters", () => {
    const params = toSearchParams(new URLSearchParams("__proto__=x&__proto__=y&constructor=z&from=2025-01-01&from=2025-02-01&to=2025-12-31"));
    expect(Object.getPrototypeOf(params)).toBeNull();
    expect(Object.keys(params).sort()).toEqual(["__proto__", "constructor", "from", "to"]);
    const { filters, invalid } = parseFilters(params, AS_OF);
    expect(invalid.map((p) => [p.name, p.value])).toEqual([["from", "2025-01-01,2025-02-01"]]);
    expect(filters.to).toBe("2025-12-31");
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });
});

describe("parseFilters: any value of any parameter", () => {
  const NAMES = ["from", "to", "payer", "plan", "productLine", "window", "asOf", "measure", "groupBy", "suppress", "__proto__", "constructor", "toString"];
  const value = fc.oneof(
    fc.string({ maxLength: 30 }),
    fc.string({ unit: "binary", maxLength: 30 }),
    fc.string({ minLength: 4000, maxLength: 5000 }),
    fc.integer().map(String),
    fc.double().map(String),
    fc.date({ noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10)),
    fc.array(fc.string({ maxLength: 12 }), { maxLength: 60 }),
  );

  it("gives filters within every bound, or names the parameter it refused", () => {
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom(...NAMES), value), (raw) => {
        const params = toSearchParams(new URLSearchParams(Object.entries(raw).flatMap(([k, v]) => [v].flat().map((x) => [k, x]))));
        const { filters, invalid, notices } = parseFilters(params, AS_OF);
        expect(filters.from >= EARLIEST_DATE && filters.from <= filters.to).toBe(true);
        expect(filters.to <= "2027-06-25").toBe(true);
        expect(Number(filters.to.slice(0, 4)) - Number(filters.from.slice(0, 4))).toBeLessThanOrEqual(10);
        expect(filters.payers.length + filters.plans.length + filters.productLines.length).toBeLessThanOrEqual(3 * MAX_LIST_VALUES);
        expect([30, 60, 90, 180]).toContain(filters.window);
        for (const p of invalid) expect(NAMES).toContain(p.name);
        for (const n of notices) expect(n.length).toBeLessThan(400);
      }),
      { seed: 20261129, numRuns: 400 },
    );
  });
});
