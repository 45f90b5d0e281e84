import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { MeasureKey } from "@/lib/measures";
import { countMeasureByPayer } from "../support/measure-counts";
import { ENGINES, freshDatabase, type TestDatabase } from "../support/databases";
import { claimLine, importFixture, type FixtureRow } from "../support/fixture-folder";

// SPEC D4 (order outcome for a window W: completed by the first study in [order, order + W],
// mature when order + W <= as-of) and D5 (result documented: a 3095F without 8P in
// [study, study + 30] after the completing study). Every case is one member with an order on a
// date of its own, so a measure over the one-day period [date, date] isolates it.

const PLAN = "P-AET";
const AS_OF = "2025-12-31";

let claimSeq = 0;
const line = (member_id: string, service_date: string, procedure_code: string, modifiers = ""): FixtureRow =>
  claimLine({
    claim_id: `OC${String(++claimSeq).padStart(3, "0")}`,
    member_id,
    plan_id: PLAN,
    service_date,
    procedure_code,
    modifiers,
    received_date: "2025-11-01",
  });
const study = (member: string, date: string) => line(member, date, "77080");
const result = (member: string, date: string, modifiers = "") => line(member, date, "3095F", modifiers);
const ehr = (member_id: string, order_date: string, status = "active"): FixtureRow => ({
  order_id: `E-${member_id}`,
  member_id,
  order_date,
  status,
});

const ORDERS: FixtureRow[] = [
  ehr("W30", "2025-01-02"),
  ehr("W31", "2025-01-03"),
  ehr("BEFORE", "2025-01-06"),
  ehr("SAMEDAY", "2025-01-07"),
  ehr("FIRST", "2025-01-08"),
  ehr("CANCELLED", "2025-01-09", "cancelled"),
  ehr("MATURE", "2025-12-01"),
  ehr("PENDING", "2025-12-02"),
  ehr("PENDING-DONE", "2025-12-03"),
  ehr("R-30", "2025-05-01"),
  ehr("R-31", "2025-05-02"),
  ehr("R-8P", "2025-05-03"),
  ehr("R-SAMEDAY", "2025-05-04"),
  ehr("R-BEFORE", "2025-05-05"),
  ehr("R-FIRSTSTUDY", "2025-05-06"),
  ehr("R-NOSTUDY", "2025-05-07"),
];

const CLAIMS: FixtureRow[] = [
  study("W30", "2025-02-01"), // 2025-01-02 + 30
  study("W31", "2025-02-03"), // 2025-01-03 + 31
  study("BEFORE", "2025-01-05"), // the day before the order
  study("SAMEDAY", "2025-01-07"),
  study("FIRST", "2025-01-25"),
  study("FIRST", "2025-01-12"), // the first study on or after the order (day 4), listed second
  study("CANCELLED", "2025-01-10"),
  study("PENDING-DONE", "2025-12-05"),
  // A claim-sourced order (3096F near no EHR order) completes like any order.
  line("CLAIM-ORDER", "2025-02-10", "3096F"),
  study("CLAIM-ORDER", "2025-02-20"),
  // D5: studies 4 days after their orders, then the 3095F under test.
  study("R-30", "2025-05-05"),
  result("R-30", "2025-06-04"), // study + 30
  study("R-31", "2025-05-06"),
  result("R-31", "2025-06-06"), // study + 31
  study("R-8P", "2025-05-07"),
  result("R-8P", "2025-05-08", "8P"), // "not done"
  study("R-SAMEDAY", "2025-05-08"),
  result("R-SAMEDAY", "2025-05-08"), // study + 0
  study("R-BEFORE", "2025-05-09"),
  result("R-BEFORE", "2025-05-08"), // study − 1: precedes it
  // The completing study (05-10) has no result within 30 days; a later study (07-01, a study
  // of its own) has one, but it does not complete this order.
  study("R-FIRSTSTUDY", "2025-05-10"),
  study("R-FIRSTSTUDY", "2025-07-01"),
  result("R-FIRSTSTUDY", "2025-07-02"),
  result("R-NOSTUDY", "2025-05-08"), // a result without a study completes nothing
  claimLine({ claim_id: "CLOCK", member_id: "CLOCK", plan_id: PLAN, service_date: "2025-12-01", procedure_code: "99213", received_date: AS_OF }),
];

type Totals = { denominator: number; numerator: number; pending: number };

describe.each(ENGINES)("D4/D5 order outcomes on %s", (engine) => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await freshDatabase(engine);
    const members = [...new Set([...ORDERS, ...CLAIMS].map((r) => String(r.member_id)))];
    await importFixture(db, {
      "plans.csv": [{ plan_id: PLAN, payer: "Aetna", plan_name: "Aetna PPO", product_line: "commercial" }],
      "members.csv": members.map((member_id) => ({ member_id, birth_date: "1950-01-01", sex: "F" })),
      "coverage.csv": members.map((member_id) => ({ member_id, plan_id: PLAN, start_date: "2020-01-01", end_date: "" })),
      "orders.csv": ORDERS,
      "claim_lines.csv": CLAIMS,
    });
  });
  afterAll(() => db?.dispose());

  /** The measure's counts summed over payers, for orders dated in [from, to]. */
  const measure = async (key: MeasureKey, from: string, to: string, window: 30 | 60 | 90 | 180): Promise<Totals> => {
    const rows = await countMeasureByPayer(db, key, { asOf: AS_OF, from, to, window });
    return rows.reduce(
      (t, r) => ({ denominator: t.denominator + r.denominator, numerator: t.numerator + r.numerator, pending: t.pending + r.pending }),
      { denominator: 0, numerator: 0, pending: 0 },
    );
  };
  const followUp = (date: string, window: 30 | 60 | 90 | 180) => measure("order_follow_up", date, date, window);
  const factOf = (member: string) =>
    db
      .query<{ study_date: string | null; days_to_scan: number | null; result_documented: boolean; status: string }>(
        `SELECT study_date, days_to_scan, result_documented, status::text FROM order_facts WHERE as_of = $1::date AND member_id = $2`,
        [AS_OF, member],
      )
      .then((rows) => {
        expect(rows).toHaveLength(1);
        return rows[0]!;
      });

  it("a study W days after the order completes it for W (days_to_scan = 30 counts at W = 30)", async () => {
    expect(await factOf("W30")).toMatchObject({ study_date: "2025-02-01", days_to_scan: 30 });
    expect(await followUp("2025-01-02", 30)).toEqual({ denominator: 1, numerator: 1, pending: 0 });
  });

  it("a study W + 1 days after does not complete it for W, but does for a longer window", async () => {
    expect(await factOf("W31")).toMatchObject({ study_date: "2025-02-03", days_to_scan: 31 });
    // Mature (2025-01-03 + 30 <= as-of) and not completed within 30 days: overdue.
    expect(await followUp("2025-01-03", 30)).toEqual({ denominator: 1, numerator: 0, pending: 0 });
    expect(await followUp("2025-01-03", 60)).toEqual({ denominator: 1, numerator: 1, pending: 0 });
  });

  it("a study before the order date does not complete it, whatever the window", async () => {
    expect(await factOf("BEFORE")).toMatchObject({ study_date: null, days_to_scan: null });
    expect(await followUp("2025-01-06", 180)).toEqual({ denominator: 1, numerator: 0, pending: 0 });
  });

  it("a study on the order date completes it (both ends of the window inclusive)", async () => {
    expect(await factOf("SAMEDAY")).toMatchObject({ study_date: "2025-01-07", days_to_scan: 0 });
    expect(await followUp("2025-01-07", 30)).toEqual({ denominator: 1, numerator: 1, pending: 0 });
  });

  it("the completion is the first study on or after the order date", async () => {
    expect(await factOf("FIRST")).toMatchObject({ study_date: "2025-01-12", days_to_scan: 4 });
  });

  it("a cancelled order takes part in no measure even when a study follows", async () => {
    expect(await factOf("CANCELLED")).toMatchObject({ status: "cancelled" });
    expect(await followUp("2025-01-09", 30)).toEqual({ denominator: 0, numerator: 0, pending: 0 });
  });

  it("a claim-sourced order is completed by a study like an EHR order", async () => {
    expect(await factOf("CLAIM-ORDER")).toMatchObject({ study_date: "2025-02-20", days_to_scan: 10 });
    expect(await followUp("2025-02-10", 30)).toEqual({ denominator: 1, numerator: 1, pending: 0 });
  });

  it("an order is mature when order date + W <= as-of; until then it is pending, completed or not", async () => {
    // 2025-12-01 + 30 = 2025-12-31 = as-of: mature, not completed (overdue).
    expect(await followUp("2025-12-01", 30)).toEqual({ denominator: 1, numerator: 0, pending: 0 });
    // 2025-12-02 + 30 = 2026-01-01 > as-of: in window, left out of the rate.
    expect(await followUp("2025-12-02", 30)).toEqual({ denominator: 0, numerator: 0, pending: 1 });
    // Completed on 12-05 but not mature either: still pending, not in the numerator.
    expect(await followUp("2025-12-03", 30)).toEqual({ denominator: 0, numerator: 0, pending: 1 });
  });

  it("a 3095F on study + 30 documents the result", async () => {
    expect(await factOf("R-30")).toMatchObject({ days_to_scan: 4, result_documented: true });
    const [row] = await db.query(`SELECT result_date FROM dxa_studies WHERE as_of = $1::date AND member_id = 'R-30'`, [AS_OF]);
    expect(row).toEqual({ result_date: "2025-06-04" });
  });

  it("a 3095F on study + 31 does not document it", async () => {
    expect(await factOf("R-31")).toMatchObject({ days_to_scan: 4, result_documented: false });
  });

  it("a 3095F with 8P (not done) does not document it", async () => {
    expect(await factOf("R-8P")).toMatchObject({ days_to_scan: 4, result_documented: false });
  });

  it("a 3095F on the study date documents it; one the day before does not", async () => {
    expect(await factOf("R-SAMEDAY")).toMatchObject({ result_documented: true });
    expect(await factOf("R-BEFORE")).toMatchObject({ days_to_scan: 4, result_documented: false });
  });

  it("a result after a later study does not document an order completed by an earlier study", async () => {
    expect(await factOf("R-FIRSTSTUDY")).toMatchObject({ study_date: "2025-05-10", result_documented: false });
  });

  it("result_documented counts completed mature orders, and those documented", async () => {
    // Orders 05-01 … 05-07: six completed within 30 days (all at day 4), R-NOSTUDY not
    // completed; documented: R-30 and R-SAMEDAY.
    expect(await measure("result_documented", "2025-05-01", "2025-05-07", 30)).toEqual({ denominator: 6, numerator: 2, pending: 0 });
    expect(await measure("order_follow_up", "2025-05-01", "2025-05-07", 30)).toEqual({ denominator: 7, numerator: 6, pending: 0 });
  });
});
