import { describe, expect, it } from "vitest";
import { isWholeMonths, lastFourQuarters, previousPeriod, quarterStart, quarterToDate, yearEarlier, yearToDate } from "@/lib/periods";

// Every expected period below was worked out on a calendar by hand.

describe("previousPeriod", () => {
  it("compares a calendar year with the calendar year before, leap year or not", () => {
    // 2025 has 365 days; 2024 has 366: a day count would give 2 Jan–31 Dec 2024.
    expect(previousPeriod("2025-01-01", "2025-12-31")).toEqual({ from: "2024-01-01", to: "2024-12-31" });
    // 2024 (366 days) against 2023, not against 31 Dec 2022–31 Dec 2023.
    expect(previousPeriod("2024-01-01", "2024-12-31")).toEqual({ from: "2023-01-01", to: "2023-12-31" });
  });

  it("compares whole months with as many whole months just before", () => {
    // Twelve months Nov 2024–Oct 2025 against Nov 2023–Oct 2024.
    expect(previousPeriod("2024-11-01", "2025-10-31")).toEqual({ from: "2023-11-01", to: "2024-10-31" });
    // March 2025 (31 days) against February 2025 (28 days), not against 29 Jan–28 Feb.
    expect(previousPeriod("2025-03-01", "2025-03-31")).toEqual({ from: "2025-02-01", to: "2025-02-28" });
    // A quarter: Q2 2024 against Q1 2024 (1 Jan–31 Mar, 91 days in a leap year).
    expect(previousPeriod("2024-04-01", "2024-06-30")).toEqual({ from: "2024-01-01", to: "2024-03-31" });
    // February of a leap year against January.
    expect(previousPeriod("2024-02-01", "2024-02-29")).toEqual({ from: "2024-01-01", to: "2024-01-31" });
  });

  it("compares any other period with as many days just before", () => {
    // 1–10 Mar 2025 (10 days) against 19–28 Feb 2025.
    expect(previousPeriod("2025-03-01", "2025-03-10")).toEqual({ from: "2025-02-19", to: "2025-02-28" });
    // Quarter to date 1 Apr–15 May 2025 (30 + 15 = 45 days) against 15 Feb–31 Mar 2025
    // (14 days of February from the 15th, and 31 of March).
    expect(previousPeriod("2025-04-01", "2025-05-15")).toEqual({ from: "2025-02-15", to: "2025-03-31" });
    // A single day.
    expect(previousPeriod("2025-01-01", "2025-01-01")).toEqual({ from: "2024-12-31", to: "2024-12-31" });
  });
});

describe("isWholeMonths", () => {
  it("needs the 1st and a month's last day", () => {
    expect(isWholeMonths({ from: "2025-01-01", to: "2025-12-31" })).toBe(true);
    expect(isWholeMonths({ from: "2024-02-01", to: "2024-02-29" })).toBe(true);
    expect(isWholeMonths({ from: "2025-02-01", to: "2025-02-28" })).toBe(true);
    expect(isWholeMonths({ from: "2024-02-01", to: "2024-02-28" })).toBe(false);
    expect(isWholeMonths({ from: "2025-01-02", to: "2025-12-31" })).toBe(false);
  });
});

describe("presets for a given as-of date", () => {
  it("quarter to date", () => {
    expect(quarterStart("2025-05-17")).toBe("2025-04-01");
    expect(quarterToDate("2025-05-17")).toEqual({ from: "2025-04-01", to: "2025-05-17" });
    expect(quarterToDate("2025-01-01")).toEqual({ from: "2025-01-01", to: "2025-01-01" });
    expect(quarterToDate("2025-12-31")).toEqual({ from: "2025-10-01", to: "2025-12-31" });
    expect(quarterToDate("2025-09-30")).toEqual({ from: "2025-07-01", to: "2025-09-30" });
  });

  it("year to date", () => {
    expect(yearToDate("2025-05-17")).toEqual({ from: "2025-01-01", to: "2025-05-17" });
    expect(yearToDate("2024-02-29")).toEqual({ from: "2024-01-01", to: "2024-02-29" });
  });

  it("the last four complete quarters", () => {
    // 17 May 2025: Q2 2025 is not over; the last complete one is Q1 2025, so Q2 2024–Q1 2025.
    expect(lastFourQuarters("2025-05-17")).toEqual({ from: "2024-04-01", to: "2025-03-31" });
    // On the last day of a quarter that quarter is complete: Q4 2024–Q3 2025.
    expect(lastFourQuarters("2025-09-30")).toEqual({ from: "2024-10-01", to: "2025-09-30" });
    // The day before it is not: Q3 2024–Q2 2025.
    expect(lastFourQuarters("2025-09-29")).toEqual({ from: "2024-07-01", to: "2025-06-30" });
    // 1 January: the four quarters of the year before.
    expect(lastFourQuarters("2026-01-01")).toEqual({ from: "2025-01-01", to: "2025-12-31" });
    expect(lastFourQuarters("2025-12-31")).toEqual({ from: "2025-01-01", to: "2025-12-31" });
  });

  it("the same period a year earlier", () => {
    expect(yearEarlier({ from: "2025-01-01", to: "2025-12-31" })).toEqual({ from: "2024-01-01", to: "2024-12-31" });
    expect(yearEarlier({ from: "2025-04-01", to: "2025-05-17" })).toEqual({ from: "2024-04-01", to: "2024-05-17" });
    // February 2024 as whole months → all of February 2023.
    expect(yearEarlier({ from: "2024-02-01", to: "2024-02-29" })).toEqual({ from: "2023-02-01", to: "2023-02-28" });
    // A period ending on 29 February (not whole months) → 28 February.
    expect(yearEarlier({ from: "2024-02-10", to: "2024-02-29" })).toEqual({ from: "2023-02-10", to: "2023-02-28" });
    // Whole months ending in February of a leap year, from a common year.
    expect(yearEarlier({ from: "2024-12-01", to: "2025-02-28" })).toEqual({ from: "2023-12-01", to: "2024-02-29" });
  });
});
