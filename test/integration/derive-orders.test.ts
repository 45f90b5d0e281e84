import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ENGINES, freshDatabase, type TestDatabase } from "../support/databases";
import { claimLine, importFixture, type FixtureRow } from "../support/fixture-folder";

// SPEC D3 (orders): EHR orders, their capture by a 3096F line within 14 days either side, and
// 3096F lines near no live EHR order clustered (14 days from the order's first line) into
// claim-sourced orders. One member per case, all in one import.

const PLAN = "P-AET";
const AS_OF = "2025-12-31";

/** A 3096F line on a claim of its own (claim id = `claim_id`, line 1 unless given). */
const orderLine = (member_id: string, claim_id: string, service_date: string, extra: Partial<FixtureRow> = {}): FixtureRow =>
  claimLine({ claim_id, member_id, plan_id: PLAN, service_date, procedure_code: "3096F", received_date: "2025-05-01", ...extra });

const ehr = (order_id: string, member_id: string, order_date: string, status = "active"): FixtureRow => ({
  order_id,
  member_id,
  order_date,
  ordering_npi: "1234567893",
  indication: "screening",
  status,
});

const ORDERS: FixtureRow[] = [
  ehr("E-CAPB", "O-CAP-BEFORE", "2025-03-15"),
  ehr("E-CAPA", "O-CAP-AFTER", "2025-03-15"),
  ehr("E-15A", "O-15-AFTER", "2025-03-15"),
  ehr("E-15B", "O-15-BEFORE", "2025-03-15"),
  ehr("E-8P", "O-8P", "2025-03-15"),
  ehr("E-CANCEL", "O-CANCEL", "2025-03-15", "cancelled"),
  ehr("E-CANCEL2", "O-CANCEL-LIVE", "2025-03-15", "cancelled"),
  ehr("E-LIVE", "O-CANCEL-LIVE", "2025-03-20"),
  ehr("E-MIX", "O-MIX", "2025-03-15"),
  ehr("E-TWO-1", "O-TWO", "2025-03-10"),
  ehr("E-TWO-2", "O-TWO", "2025-03-20"),
  ehr("E-NOLINE", "O-NOLINE", "2025-03-15"),
];

const CLAIMS: FixtureRow[] = [
  orderLine("O-CAP-BEFORE", "CAPB", "2025-03-01"), // 14 days before the order
  orderLine("O-CAP-AFTER", "CAPA", "2025-03-29"), // 14 days after
  orderLine("O-15-AFTER", "C15A", "2025-03-30"), // 15 days after
  orderLine("O-15-BEFORE", "C15B", "2025-02-28"), // 15 days before
  orderLine("O-8P", "C8P", "2025-03-15", { modifiers: "8P" }),
  orderLine("O-8P-ONLY", "C8PO", "2025-04-01", { modifiers: "59;8P" }),
  orderLine("O-CANCEL", "CCAN", "2025-03-15"),
  orderLine("O-CANCEL-LIVE", "CCL", "2025-03-15"),
  orderLine("O-MIX", "MIXA", "2025-03-29"), // +14: captures E-MIX
  orderLine("O-MIX", "MIXB", "2025-04-04"), // +20: near no EHR order
  orderLine("O-TWO", "TWO", "2025-03-15"), // within 14 days of both orders
  orderLine("O-CL-14", "CL14A", "2025-04-01"),
  orderLine("O-CL-14", "CL14B", "2025-04-15"),
  orderLine("O-CL-15", "CL15A", "2025-04-01"),
  orderLine("O-CL-15", "CL15B", "2025-04-16"),
  orderLine("O-CL-0-10-20", "CLX1", "2025-04-01"),
  orderLine("O-CL-0-10-20", "CLX2", "2025-04-11"),
  orderLine("O-CL-0-10-20", "CLX3", "2025-04-21"),
  // Three lines on the same first day: the order is named by the smallest claim_id, then the
  // smallest line_number (ID-A line 2).
  orderLine("O-CL-ID", "ID-B", "2025-04-01", { line_number: 1 }),
  orderLine("O-CL-ID", "ID-A", "2025-04-01", { line_number: 3 }),
  orderLine("O-CL-ID", "ID-A", "2025-04-01", { line_number: 2 }),
  orderLine("O-CL-ID", "ID-0", "2025-04-02", { line_number: 1 }), // later date: not the first line
  claimLine({ claim_id: "CLOCK", member_id: "O-CLOCK", plan_id: PLAN, service_date: "2025-12-01", procedure_code: "99213", received_date: AS_OF }),
];

type Order = { order_id: string; source: string; order_date: string; status: string; captured: boolean };

describe.each(ENGINES)("D3 orders on %s", (engine) => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await freshDatabase(engine);
    const members = [...new Set([...ORDERS, ...CLAIMS].map((r) => String(r.member_id)))];
    await importFixture(db, {
      "plans.csv": [{ plan_id: PLAN, payer: "Aetna", plan_name: "Aetna PPO", product_line: "commercial" }],
      "members.csv": members.map((member_id) => ({ member_id, birth_date: "1950-01-01", sex: "F" })),
      "orders.csv": ORDERS,
      "claim_lines.csv": CLAIMS,
    });
  });
  afterAll(() => db?.dispose());

  const ordersOf = (member: string) =>
    db.query<Order>(
      `SELECT order_id, source::text, order_date, status::text, captured FROM order_facts
       WHERE as_of = $1::date AND member_id = $2 ORDER BY order_date, order_id COLLATE "C"`,
      [AS_OF, member],
    );
  const ehrOrder = (order_id: string, order_date: string, captured: boolean, status = "active"): Order => ({
    order_id,
    source: "ehr",
    order_date,
    status,
    captured,
  });
  // A claim-sourced order is active and captured by definition; it is named by its first line.
  const claimOrder = (first: string, order_date: string): Order => ({
    order_id: `claim:${first}`,
    source: "claim",
    order_date,
    status: "active",
    captured: true,
  });

  it("a 3096F line 14 days before the EHR order captures it and makes no order of its own", async () => {
    expect(await ordersOf("O-CAP-BEFORE")).toEqual([ehrOrder("E-CAPB", "2025-03-15", true)]);
  });

  it("a 3096F line 14 days after the EHR order captures it", async () => {
    expect(await ordersOf("O-CAP-AFTER")).toEqual([ehrOrder("E-CAPA", "2025-03-15", true)]);
  });

  it("a 3096F line 15 days after does not capture; it becomes a claim-sourced order", async () => {
    expect(await ordersOf("O-15-AFTER")).toEqual([ehrOrder("E-15A", "2025-03-15", false), claimOrder("C15A#1", "2025-03-30")]);
  });

  it("a 3096F line 15 days before does not capture; it becomes a claim-sourced order", async () => {
    expect(await ordersOf("O-15-BEFORE")).toEqual([claimOrder("C15B#1", "2025-02-28"), ehrOrder("E-15B", "2025-03-15", false)]);
  });

  it("a 3096F line with 8P is ignored: no capture, no claim-sourced order", async () => {
    expect(await ordersOf("O-8P")).toEqual([ehrOrder("E-8P", "2025-03-15", false)]);
    // 8P among other modifiers is still "not ordered".
    expect(await ordersOf("O-8P-ONLY")).toEqual([]);
  });

  it("a cancelled EHR order is not captured and does not absorb a nearby 3096F line", async () => {
    // The same-day line is within 14 days of no live order, so it is an order of its own.
    expect(await ordersOf("O-CANCEL")).toEqual([
      ehrOrder("E-CANCEL", "2025-03-15", false, "cancelled"),
      claimOrder("CCAN#1", "2025-03-15"),
    ]);
  });

  it("next to a cancelled order, a live EHR order within 14 days still captures and absorbs the line", async () => {
    expect(await ordersOf("O-CANCEL-LIVE")).toEqual([
      ehrOrder("E-CANCEL2", "2025-03-15", false, "cancelled"),
      ehrOrder("E-LIVE", "2025-03-20", true),
    ]);
  });

  it("one line within 14 days of two EHR orders captures both", async () => {
    expect(await ordersOf("O-TWO")).toEqual([ehrOrder("E-TWO-1", "2025-03-10", true), ehrOrder("E-TWO-2", "2025-03-20", true)]);
  });

  it("an EHR order with no 3096F line of its own member is not captured", async () => {
    // Other members have 3096F lines on its very date (O-CANCEL, O-TWO): they do not count.
    expect(await ordersOf("O-NOLINE")).toEqual([ehrOrder("E-NOLINE", "2025-03-15", false)]);
  });

  it("a line absorbed by an EHR order does not pull a later line into it: the later line is its own order", async () => {
    // 03-29 (+14) captures E-MIX; 04-04 is 20 days after the order, near no live EHR order.
    expect(await ordersOf("O-MIX")).toEqual([ehrOrder("E-MIX", "2025-03-15", true), claimOrder("MIXB#1", "2025-04-04")]);
  });

  it("claim-only lines 14 days apart are one order", async () => {
    expect(await ordersOf("O-CL-14")).toEqual([claimOrder("CL14A#1", "2025-04-01")]);
  });

  it("claim-only lines 15 days apart are two orders", async () => {
    expect(await ordersOf("O-CL-15")).toEqual([claimOrder("CL15A#1", "2025-04-01"), claimOrder("CL15B#1", "2025-04-16")]);
  });

  it("claim-only lines on days 0, 10, 20 are two orders: day 20 is more than 14 days after the start", async () => {
    // Day 10 joins the order of day 0; day 20 is 20 > 14 days after that start (though only 10
    // after the previous line), so it starts a second order.
    expect(await ordersOf("O-CL-0-10-20")).toEqual([claimOrder("CLX1#1", "2025-04-01"), claimOrder("CLX3#1", "2025-04-21")]);
  });

  it("a claim-sourced order is named by its first line: earliest date, smallest claim_id, smallest line_number", async () => {
    expect(await ordersOf("O-CL-ID")).toEqual([claimOrder("ID-A#2", "2025-04-01")]);
  });
});
