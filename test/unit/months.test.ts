import { describe, expect, it } from "vitest";
import { addMonths, daysInMonth, lastDayOfMonth, monthOf, monthsBetween, startOfMonth } from "@/lib/months";

// Calendar months as `YYYY-MM` (the `month` of a monthly row, SPEC section 5) and the rolling
// 12 months of screening_ordering.

describe("monthsBetween", () => {
  it("lists every month touched by the period, across a year end", () => {
    expect(monthsBetween("2024-11-15", "2025-02-03")).toEqual(["2024-11", "2024-12", "2025-01", "2025-02"]);
  });

  it("a 12-month period has 12 months", () => {
    const months = monthsBetween("2025-01-01", "2025-12-31");
    expect(months).toHaveLength(12);
    expect(months[0]).toBe("2025-01");
    expect(months[11]).toBe("2025-12");
  });

  it("a period inside one month has that month; an empty period none", () => {
    expect(monthsBetween("2025-02-10", "2025-02-10")).toEqual(["2025-02"]);
    expect(monthsBetween("2025-03-01", "2025-02-28")).toEqual([]);
  });
});

describe("addMonths", () => {
  it("keeps the day when the month has it", () => {
    expect(addMonths("2025-01-15", 1)).toBe("2025-02-15");
    expect(addMonths("2025-12-15", 1)).toBe("2026-01-15");
  });

  it("clamps to the last day of a shorter month", () => {
    expect(addMonths("2024-01-31", 1)).toBe("2024-02-29"); // leap year
    expect(addMonths("2023-01-31", 1)).toBe("2023-02-28");
    expect(addMonths("2025-03-31", 1)).toBe("2025-04-30");
    expect(addMonths("2024-02-29", 12)).toBe("2025-02-28");
  });

  it("goes back 11 months across a year end (the start of a rolling 12 months)", () => {
    expect(addMonths("2025-12-01", -11)).toBe("2025-01-01");
    expect(addMonths("2025-03-01", -11)).toBe("2024-04-01");
    expect(addMonths("2025-01-31", -11)).toBe("2024-02-29"); // clamped, leap February
    expect(addMonths("2025-03-31", -11)).toBe("2024-04-30");
    expect(addMonths("2025-01-15", -1)).toBe("2024-12-15");
    expect(addMonths("2025-01-15", -13)).toBe("2023-12-15");
  });

  it("works on months as well as dates", () => {
    expect(addMonths("2025-01", -11)).toBe("2024-02");
    expect(addMonths("2024-12", 1)).toBe("2025-01");
  });
});

describe("lastDayOfMonth and the other helpers", () => {
  it("February has 29 days in a leap year, 28 otherwise (century rules included)", () => {
    expect(lastDayOfMonth("2024-02")).toBe("2024-02-29");
    expect(lastDayOfMonth("2023-02")).toBe("2023-02-28");
    expect(lastDayOfMonth("2000-02")).toBe("2000-02-29");
    expect(lastDayOfMonth("1900-02")).toBe("1900-02-28");
    expect(daysInMonth("2024-02")).toBe(29);
  });

  it("takes a date as well as a month", () => {
    expect(lastDayOfMonth("2024-02-10")).toBe("2024-02-29");
    expect(lastDayOfMonth("2025-04-01")).toBe("2025-04-30");
    expect(lastDayOfMonth("2025-12-31")).toBe("2025-12-31");
  });

  it("monthOf and startOfMonth", () => {
    expect(monthOf("2025-03-17")).toBe("2025-03");
    expect(startOfMonth("2025-03")).toBe("2025-03-01");
    expect(startOfMonth("2025-03-17")).toBe("2025-03-01");
  });
});
