import { describe, expect, it } from "vitest";
import { initialPopulationBirthDates, mayBeInInitialPopulation, type FhirResource } from "@/lib/cms249";

const period2025 = { start: "2025-01-01", end: "2025-12-31" };
const woman = (birthDate: unknown, ...gender: [unknown?]): FhirResource => ({ resourceType: "Patient", id: "p", gender: gender.length ? gender[0] : "female", birthDate });

describe("CMS249 initial-population prefilter", () => {
  it("keeps birth dates 1961-01-02 … 1975-01-01 for 2025 (aged 50–63 on 2025-01-01), widened by two days", () => {
    expect(initialPopulationBirthDates(period2025)).toEqual({ earliest: "1960-12-31", latest: "1975-01-03" });
    // 29 February: 2024-02-29 − 64 years + 1 day is 1960-03-01; − 50 years is read as 1974-03-01 (1974 has
    // no 29 February; 1974-02-28 is the other reading). The two-day margin covers either.
    expect(initialPopulationBirthDates({ start: "2024-02-29", end: "2025-02-27" })).toEqual({ earliest: "1960-02-28", latest: "1974-03-03" });
  });

  it.each([
    ["1961-01-02", true],
    ["1975-01-01", true],
    ["1960-12-31", true], // 64 on 2025-01-01, kept by the margin
    ["1960-12-30", false],
    ["1975-01-03", true], // 49, kept by the margin
    ["1975-01-04", false],
    ["1900-01-01", false],
    ["2000-06-15", false],
  ])("full birth date %s → %s", (birthDate, kept) => {
    expect(mayBeInInitialPopulation(woman(birthDate), period2025)).toBe(kept);
  });

  it.each([
    ["1960", true], // may be 1960-12-31
    ["1959", false],
    ["1975", true], // may be 1975-01-01
    ["1976", false],
    ["1960-12", true],
    ["1960-11", false],
    ["1975-01", true],
    ["1975-02", false],
  ])("partial birth date %s → %s (kept when any day it may be is in the window)", (birthDate, kept) => {
    expect(mayBeInInitialPopulation(woman(birthDate), period2025)).toBe(kept);
  });

  it("drops only what the engine cannot count: other sexes and no birth date; keeps what it cannot read", () => {
    for (const gender of ["male", "other", "unknown", "Female", "F", undefined, null]) {
      expect(mayBeInInitialPopulation(woman("1970-06-01", gender), period2025), String(gender)).toBe(false);
    }
    expect(mayBeInInitialPopulation(woman(undefined), period2025)).toBe(false);
    expect(mayBeInInitialPopulation(woman(null), period2025)).toBe(false);
    for (const odd of ["", "1970-06-01T00:00:00Z", "19700601", 1970]) {
      expect(mayBeInInitialPopulation(woman(odd), period2025), String(odd)).toBe(true);
    }
    expect(mayBeInInitialPopulation({ resourceType: "Practitioner", id: "x", gender: "female", birthDate: "1970-01-01" }, period2025)).toBe(false);
  });
});
