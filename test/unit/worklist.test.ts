import { describe, expect, it } from "vitest";
import { prefixPattern } from "@/lib/orders";
import { FIRST_DIRECTION, nextDirection, parseWorklistFilters, parseWorklistPaging, worklistParams } from "@/lib/views/worklist";

// The /orders worklist's URL (issue 13, item 23): a first click sorts as a person expects, the
// list narrows by status, age, ordering NPI and member, and bad values fall back with a notice.

describe("sort direction", () => {
  it("sorts names and ids A to Z and dates oldest first on a first click, days open longest first", () => {
    expect(FIRST_DIRECTION).toEqual({ member_id: "asc", payer: "asc", plan: "asc", order_date: "asc", days_open: "desc" });
    const current = { sort: "days_open" as const, direction: "desc" as const, page: 3 };
    expect(nextDirection("member_id", current)).toBe("asc");
    expect(nextDirection("payer", current)).toBe("asc");
    expect(nextDirection("plan", current)).toBe("asc");
    expect(nextDirection("order_date", current)).toBe("asc");
  });
  it("reverses the column already sorted on", () => {
    expect(nextDirection("member_id", { sort: "member_id", direction: "asc", page: 1 })).toBe("desc");
    expect(nextDirection("days_open", { sort: "days_open", direction: "desc", page: 1 })).toBe("asc");
  });
});

describe("the worklist's filters", () => {
  it("reads status, age buckets, an NPI and a member prefix", () => {
    const { filters, invalid } = parseWorklistFilters({ status: "in_window", age: "0-30,over_180,0-30", npi: "1234567893", member: " M0001 " });
    expect(invalid).toEqual([]);
    expect(filters).toEqual({ statuses: ["in_window"], ageBuckets: ["0-30", "over_180"], orderingNpi: "1234567893", member: "M0001" });
    expect(worklistParams(filters)).toEqual({ status: "in_window", age: "0-30,over_180", npi: "1234567893", member: "M0001" });
  });
  it("names what is not valid and leaves it out", () => {
    const { filters, invalid } = parseWorklistFilters({ status: "completed", age: "30-60", npi: "12345", member: "x".repeat(65) });
    expect(filters).toEqual({ statuses: [], ageBuckets: [], orderingNpi: null, member: null });
    expect(invalid.map((p) => p.name)).toEqual(["status", "age", "npi", "member"]);
    // A control character is no member id (and a NUL would fail the query).
    expect(parseWorklistFilters({ member: "M0\u0000" }).invalid.map((p) => p.name)).toEqual(["member"]);
  });
  it("falls back on the page with a notice per value", () => {
    const { paging, notices } = parseWorklistPaging({ sort: "nonsense", dir: "up", page: "0", npi: "abc" });
    expect(paging).toEqual({ sort: "days_open", direction: "desc", page: 1 });
    expect(notices).toHaveLength(4);
    expect(notices[3]).toBe('"abc" is not a valid npi (expected an NPI of 10 digits): it is not applied.');
  });
});

describe("prefixPattern", () => {
  it("matches ids starting with the text taken literally", () => {
    expect(prefixPattern("M0001")).toBe("M0001%");
    expect(prefixPattern("A_1%\\")).toBe("A\\_1\\%\\\\%");
  });
});
