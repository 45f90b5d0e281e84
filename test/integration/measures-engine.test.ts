import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Viewer } from "@/lib/access";
import { addDays } from "@/lib/dates";
import {
  computeMeasure,
  getMeasure,
  GROUP_BYS,
  groupByApplies,
  MEASURE_KEYS,
  resolveSnapshot,
  type GroupBy,
  type MeasureQuery,
  type MeasureRow,
  type ReportableRow,
} from "@/lib/measures";
import { getClaimsLag, isProvisionalMonth } from "@/lib/measures/claims-lag";
import { wilsonInterval } from "@/lib/stats/wilson";
import { ENGINES, freshDatabase, type TestDatabase } from "../support/databases";
import { claimLine, importFixture, type FixtureRow } from "../support/fixture-folder";
import { compute, measure, QUALITY_OFFICER, viewerAs } from "../support/viewers";

// The measure engine around the counts: rates and Wilson intervals on every row, small-cell
// suppression through getMeasure (on request, and always for payer relations, who see only
// their payers), the low-volume flag, and provisional months from the claims lag (SPEC
// section 5).
//
// Fixture: as-of 2025-06-30, period 2025-01-01 … 2025-06-30, window W = 30 (an order is mature
// when dated ≤ 2025-05-31). Completed orders have a central DXA study 5 days after the order.
//   AET-PPO  (Aetna, commercial)            20 orders in January, 12 completed
//   AET-MA   (Aetna, medicare_advantage)     5 orders in April, none completed
//   BCBS-PPO (BCBS, commercial)             19 orders in February, 3 completed
//   MCR-B    (Medicare, medicare_ffs)       30 orders in March, 15 completed; 2 orders in June (pending)
// By payer, order_follow_up: Aetna 25/12/0, BCBS 19/3/0, Cigna and UHC empty, Medicare 30/15/2;
// total 74/30/2.

const AS_OF = "2025-06-30";
const FROM = "2025-01-01";
const TO = "2025-06-30";

const PLANS: FixtureRow[] = [
  { plan_id: "AET-PPO", payer: "Aetna", plan_name: "Aetna Choice PPO", product_line: "commercial" },
  { plan_id: "AET-MA", payer: "Aetna", plan_name: "Aetna Medicare Advantage", product_line: "medicare_advantage" },
  { plan_id: "BCBS-PPO", payer: "Blue Cross Blue Shield", plan_name: "Blue Cross PPO", product_line: "commercial" },
  { plan_id: "MCR-B", payer: "Medicare", plan_name: "Medicare Part B", product_line: "medicare_ffs" },
];

type Member = { id: string; plan: string };
const members: Member[] = [];
const orders: FixtureRow[] = [];
const claims: FixtureRow[] = [];
let claimSeq = 0;

function line(member: Member, service: string, code: string, lagDays: number, extra: FixtureRow = {}): FixtureRow {
  return claimLine({
    claim_id: `E${String(++claimSeq).padStart(4, "0")}`,
    member_id: member.id,
    plan_id: member.plan,
    service_date: service,
    procedure_code: code,
    received_date: addDays(service, lagDays),
    ...extra,
  });
}

/** `count` members of a plan, each with an order on `firstDate` + i days; the first `completed`
 *  of them scanned 5 days later, their study claims received after the lag given (10 days
 *  unless `lags` says otherwise for that member). */
function cohort(prefix: string, plan: string, count: number, firstDate: string, completed: number, lags: number[] = []): Member[] {
  const cohortMembers: Member[] = [];
  for (let i = 0; i < count; i++) {
    const member = { id: `${prefix}${String(i + 1).padStart(2, "0")}`, plan };
    const orderDate = addDays(firstDate, i);
    orders.push({ order_id: `O-${member.id}`, member_id: member.id, order_date: orderDate, status: "active" });
    if (i < completed) claims.push(line(member, addDays(orderDate, 5), "77080", lags[i] ?? 10));
    cohortMembers.push(member);
  }
  members.push(...cohortMembers);
  return cohortMembers;
}

const aetnaPpo = cohort("A", "AET-PPO", 20, "2025-01-02", 12);
cohort("AM", "AET-MA", 5, "2025-04-01", 0);
cohort("B", "BCBS-PPO", 19, "2025-02-01", 3);
// Medicare: the 11th–15th completed studies arrive 30, 30, 40, 51 and 60 days after service.
const medicare = cohort("M", "MCR-B", 30, "2025-03-01", 15, [10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 30, 30, 40, 51, 60]);
cohort("MP", "MCR-B", 2, "2025-06-10", 0); // 06-10 + 30 > as-of: pending

// Lines that decide the claims lag but no measure:
// - the as-of line: received 2025-06-30, 10 days after service (Aetna);
claims.push(line(aetnaPpo[0]!, "2025-06-20", "99213", 10));
// - a line received exactly 365 days before the as-of date (2024-06-30), 181 days late: outside
//   "the 365 days up to as-of", so not counted;
claims.push(line(aetnaPpo[19]!, "2024-01-01", "99213", 181));
// - a Medicare claim sent on time (10 days) and replaced 130 days after service: the
//   replacement (frequency 7) is not lag, the original counts.
claims.push(line(medicare[29]!, "2025-01-10", "99213", 10, { claim_id: "REPL" }));
claims.push(line(medicare[29]!, "2025-01-10", "99213", 130, { claim_id: "REPL", frequency_code: 7 }));

// Claims lag at 2025-06-30, by hand (percentile_cont: position q × (N − 1) in the sorted lags,
// interpolated):
//   aetna    13 lines (12 studies + the as-of line), all 10 days      → median 10, p90 10
//   bcbs      3 lines, all 10                                         → median 10, p90 10
//   medicare 16 lines: 10 × 11 (10 studies + REPL's original), 30, 30, 40, 51, 60
//            median: position 7.5 → 10; p90: position 13.5 → 40 + 0.5 × (51 − 40) = 45.5
//   all      32 lines: 10 × 27, 30, 30, 40, 51, 60
//            median: position 15.5 → 10; p90: position 27.9 → sorted[27] = sorted[28] = 30 → 30
const EXPECTED_LAG = {
  allPayers: { lines: 32, medianDays: 10, p90Days: 30 },
  byPayer: {
    aetna: { lines: 13, medianDays: 10, p90Days: 10 },
    bcbs: { lines: 3, medianDays: 10, p90Days: 10 },
    medicare: { lines: 16, medianDays: 10, p90Days: 45.5 },
  },
};

const PAYER_RELATIONS: Viewer = viewerAs("payer_relations", ["aetna"]);
const MONTHS = ["2025-01", "2025-02", "2025-03", "2025-04", "2025-05", "2025-06"];

describe.each(ENGINES)("measure engine on %s", (engine) => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await freshDatabase(engine);
    await importFixture(db, {
      "plans.csv": PLANS,
      "members.csv": members.map((m) => ({ member_id: m.id, birth_date: "1955-05-05", sex: "F" })),
      "coverage.csv": members.map((m) => ({ member_id: m.id, plan_id: m.plan, start_date: "2020-01-01", end_date: "" })),
      "orders.csv": orders,
      "claim_lines.csv": claims,
    });
    expect(await resolveSnapshot(db)).toBe(AS_OF);
  });
  afterAll(() => db?.dispose());

  const query = (groupBy: GroupBy, extra: Partial<MeasureQuery> = {}): MeasureQuery => ({
    measure: "order_follow_up",
    from: FROM,
    to: TO,
    window: 30,
    asOf: AS_OF,
    groupBy,
    ...extra,
  });
  const counts = (r: { denominator: number | null; numerator: number | null; pending: number | null }) => [r.denominator, r.numerator, r.pending];

  describe("rates and intervals", () => {
    it("the fixture's counts by payer", async () => {
      const r = await compute(db, QUALITY_OFFICER, query("payer"));
      expect(r.rows.map((x) => [x.payerKey, ...counts(x)])).toEqual([
        ["aetna", 25, 12, 0],
        ["bcbs", 19, 3, 0],
        ["cigna", 0, 0, 0],
        ["uhc", 0, 0, 0],
        ["medicare", 30, 15, 2],
      ]);
      expect(counts(r.total)).toEqual([74, 30, 2]);
    });

    it("Medicare 15 of 30 → rate 0.5000, interval [0.3315, 0.6685]", async () => {
      // p = 0.5, z²/n = 0.128049, 1 + z²/n = 1.128049; centre 0.5;
      // half = 1.959964 × √(0.25/30 + 3.841459/3600) / 1.128049 = 1.959964 × 0.096956 / 1.128049 = 0.168459.
      const r = await compute(db, QUALITY_OFFICER, query("payer"));
      const m = r.rows.find((x) => x.payerKey === "medicare")!;
      expect(m.rate).toBe(0.5);
      expect(m.ciLow).toBeCloseTo(0.3315, 4);
      expect(m.ciHigh).toBeCloseTo(0.6685, 4);
    });

    it.each(MEASURE_KEYS)("%s: every row's rate is x/n and its interval wilsonInterval(x, n), for every breakdown", async (measure) => {
      for (const groupBy of GROUP_BYS.filter((g) => groupByApplies(measure, g))) {
        const r = await compute(db, QUALITY_OFFICER, query(groupBy, { measure }));
        for (const row of [...r.rows, r.total]) {
          const where = `${measure} by ${groupBy}: ${JSON.stringify(row)}`;
          const ci = wilsonInterval(row.numerator, row.denominator);
          expect(row.rate, where).toBe(row.denominator > 0 ? row.numerator / row.denominator : null);
          expect(row.ciLow, where).toBe(ci?.low ?? null);
          expect(row.ciHigh, where).toBe(ci?.high ?? null);
          expect(row.flags.includes("not_available"), where).toBe(row.denominator === 0);
          expect(row.flags.includes("low_volume"), where).toBe(row.denominator > 0 && row.denominator < 20);
        }
      }
    });

    it("low volume: 19 is flagged, 20 is not", async () => {
      const byPayer = await compute(db, QUALITY_OFFICER, query("payer"));
      expect(byPayer.rows.find((x) => x.payerKey === "bcbs")!.flags).toEqual(["low_volume"]); // 19
      const byPlan = await compute(db, QUALITY_OFFICER, query("plan"));
      expect(byPlan.rows.map((x) => [x.planId, x.denominator, x.flags])).toEqual([
        ["AET-PPO", 20, []],
        ["AET-MA", 5, ["low_volume"]],
        ["BCBS-PPO", 19, ["low_volume"]],
        ["MCR-B", 30, []],
      ]);
    });
  });

  describe("suppression through getMeasure", () => {
    const visible = (r: Omit<ReportableRow, "visibility">) => ({
      key: r.planId ?? r.payerKey ?? r.productLine ?? r.month,
      denominator: r.denominator,
      numerator: r.numerator,
      pending: r.pending,
      rate: r.rate,
      ciLow: r.ciLow,
      ciHigh: r.ciHigh,
      flags: r.flags,
    });
    const HIDDEN_RATE = { rate: null, ciLow: null, ciHigh: null };

    it("without suppression every number is there", async () => {
      const r = await measure(db, QUALITY_OFFICER, query("payer"));
      const computed = await compute(db, QUALITY_OFFICER, query("payer"));
      expect(r.suppressed).toBe(false);
      expect(r.rows.map(visible)).toEqual(computed.rows.map((x: MeasureRow) => visible(x)));
      expect(visible(r.total)).toEqual(visible(computed.total));
    });

    it("on request: small cells hidden, the next-smallest numerator too, zeros never picked", async () => {
      const r = await measure(db, QUALITY_OFFICER, query("payer"), { suppress: true });
      const plain = await compute(db, QUALITY_OFFICER, query("payer"));
      const medicare = plain.rows.find((x) => x.payerKey === "medicare")!;
      expect(r.suppressed).toBe(true);
      expect(r.rows.map(visible)).toEqual([
        // Numerators 12, 3, 0, 0, 15: BCBS's 3 is small, so Aetna's 12 (the next-smallest
        // non-zero) is hidden too, and with it Aetna's rate.
        { key: "aetna", denominator: 25, numerator: null, pending: 0, ...HIDDEN_RATE, flags: ["suppressed"] },
        { key: "bcbs", denominator: 19, numerator: null, pending: 0, ...HIDDEN_RATE, flags: ["low_volume", "suppressed"] },
        { key: "cigna", denominator: 0, numerator: 0, pending: 0, ...HIDDEN_RATE, flags: ["not_available"] },
        { key: "uhc", denominator: 0, numerator: 0, pending: 0, ...HIDDEN_RATE, flags: ["not_available"] },
        // Pending 0, 0, 0, 0, 2: Medicare's 2 is hidden, no zero is picked beside it. Its rate
        // (15 of 30, difference 15) stays.
        { key: "medicare", denominator: 30, numerator: 15, pending: null, rate: 0.5, ciLow: medicare.ciLow, ciHigh: medicare.ciHigh, flags: ["suppressed"] },
      ]);
      expect(r.rows.map((x) => x.visibility)).toEqual([
        { denominator: "shown", numerator: "complementary", pending: "shown", rateHidden: true },
        { denominator: "shown", numerator: "small", pending: "shown", rateHidden: true },
        { denominator: "shown", numerator: "shown", pending: "shown", rateHidden: false },
        { denominator: "shown", numerator: "shown", pending: "shown", rateHidden: false },
        { denominator: "shown", numerator: "shown", pending: "small", rateHidden: false },
      ]);
      // The total 74/30/2: its pending 2 is small; 30 of 74 is shown.
      expect(visible(r.total)).toEqual({
        key: null,
        denominator: 74,
        numerator: 30,
        pending: null,
        rate: 30 / 74,
        ciLow: plain.total.ciLow,
        ciHigh: plain.total.ciHigh,
        flags: ["suppressed"],
      });
      // BCBS's numerator cannot be worked out: 30 − 15 leaves Aetna's and BCBS's together.
      expect(r.rows.filter((x) => x.numerator === null)).toHaveLength(2);
    });

    it("payer relations: always suppressed, whatever the request", async () => {
      for (const options of [undefined, { suppress: false }, { suppress: true }]) {
        const r = await measure(db, PAYER_RELATIONS, query("plan"), options);
        expect(r.suppressed).toBe(true);
        expect(r.rows.map(visible)).toEqual([
          // Denominators 20 and 5: AET-MA's 5 is small, so AET-PPO's 20 is hidden too; both
          // rates go with them. The total 25 alone cannot be split.
          { key: "AET-PPO", denominator: null, numerator: 12, pending: 0, ...HIDDEN_RATE, flags: ["suppressed"] },
          { key: "AET-MA", denominator: null, numerator: 0, pending: 0, ...HIDDEN_RATE, flags: ["low_volume", "suppressed"] },
        ]);
        expect(counts(r.total)).toEqual([25, 12, 0]);
        expect(r.total.rate).toBe(12 / 25);
      }
    });

    it("payer relations see only their payers' rows, in every breakdown", async () => {
      const byPayer = await measure(db, PAYER_RELATIONS, query("payer"));
      expect(byPayer.rows.map((x) => [x.payerKey, ...counts(x)])).toEqual([["aetna", 25, 12, 0]]);
      expect(counts(byPayer.total)).toEqual([25, 12, 0]);

      const byLine = await measure(db, PAYER_RELATIONS, query("product_line"));
      // BCBS's commercial plan and Medicare's orders are out of scope.
      expect(byLine.rows.map((x) => [x.productLine, ...counts(x)])).toEqual([
        ["commercial", null, 12, 0], // 20: complementary to medicare_advantage's 5
        ["medicare_advantage", null, 0, 0],
        ["medicare_ffs", 0, 0, 0],
        ["medicaid", 0, 0, 0],
        ["other", 0, 0, 0],
      ]);

      const byMonth = await measure(db, PAYER_RELATIONS, query("month"));
      expect(byMonth.rows.map((x) => [x.month, ...counts(x)])).toEqual([
        ["2025-01", null, 12, 0], // AET-PPO's 20 January orders, complementary to April's 5
        ["2025-02", 0, 0, 0],
        ["2025-03", 0, 0, 0],
        ["2025-04", null, 0, 0],
        ["2025-05", 0, 0, 0],
        ["2025-06", 0, 0, 0],
      ]);
      expect(counts(byMonth.total)).toEqual([25, 12, 0]);

      // Asking for another payer gives nothing.
      const other = await measure(db, PAYER_RELATIONS, query("payer", { payers: ["medicare"] }));
      expect(other.rows).toEqual([]);
      expect(counts(other.total)).toEqual([0, 0, 0]);
      const otherPlan = await measure(db, PAYER_RELATIONS, query("plan", { plans: ["MCR-B"] }));
      expect(otherPlan.rows).toEqual([]);
      expect(counts(otherPlan.total)).toEqual([0, 0, 0]);

      // And nothing of another payer appears anywhere in what they get.
      for (const groupBy of GROUP_BYS) {
        for (const key of MEASURE_KEYS.filter((m) => groupByApplies(m, groupBy))) {
          const r = await measure(db, PAYER_RELATIONS, query(groupBy, { measure: key }));
          // By NPI the rows carry no payer: their total is Aetna's own.
          if (groupBy === "ordering_npi") expect(counts(r.total), key).toEqual(counts((await measure(db, PAYER_RELATIONS, query("payer", { measure: key }))).total));
          expect(r.suppressed).toBe(true);
          expect(r.rows.every((x) => x.payerKey === null || x.payerKey === "aetna"), `${key} by ${groupBy}`).toBe(true);
          expect(r.rows.every((x) => x.planId === null || x.planId.startsWith("AET-")), `${key} by ${groupBy}`).toBe(true);
          expect(r.rows.every((x) => !x.unattributed), `${key} by ${groupBy}`).toBe(true);
        }
      }
    });
  });

  describe("claims lag and provisional months", () => {
    it("claims_lag at the as-of date: p90 and median of received − service over original lines received in the 365 days up to it", async () => {
      const lag = await getClaimsLag(db, AS_OF);
      expect({ allPayers: lag.allPayers, byPayer: Object.fromEntries([...lag.byPayer].sort(([a], [b]) => a.localeCompare(b))) }).toEqual(EXPECTED_LAG);
    });

    const provisionalMonths = async (extra: Partial<MeasureQuery> = {}, viewer: Viewer = QUALITY_OFFICER) => {
      const r = await compute(db, viewer, query("month", extra));
      expect(r.rows.map((x) => x.month)).toEqual(MONTHS);
      expect(r.total.flags).not.toContain("provisional");
      return r.rows.filter((x) => x.flags.includes("provisional")).map((x) => x.month);
    };

    it("all payers (p90 30 days): June only; May ends exactly 30 days before the as-of date, so it is complete", async () => {
      expect(await provisionalMonths()).toEqual(["2025-06"]);
    });

    it("one payer decides by its own lag: Medicare (p90 45.5) makes May provisional too; Aetna (p90 10) only June", async () => {
      expect(await provisionalMonths({ payers: ["medicare"] })).toEqual(["2025-05", "2025-06"]);
      expect(await provisionalMonths({ payers: ["aetna"] })).toEqual(["2025-06"]);
      // Several payers: the slowest of them (Medicare) decides, so May is provisional too.
      expect(await provisionalMonths({ payers: ["aetna", "medicare"] })).toEqual(["2025-05", "2025-06"]);
    });

    it("every measure marks the same months provisional", async () => {
      for (const measure of MEASURE_KEYS) {
        expect(await provisionalMonths({ measure, payers: ["medicare"] }), measure).toEqual(["2025-05", "2025-06"]);
      }
    });

    it("a fractional p90 counts in full: provisional while as-of − month end < p90", () => {
      // April ends 2025-04-30; 2025-06-14 is 45 days after it, 2025-06-15 46 days.
      const lag = (p90Days: number) => ({ allPayers: { lines: 1, medianDays: 1, p90Days }, byPayer: new Map() });
      expect(isProvisionalMonth("2025-04", "2025-06-14", lag(45.5), null)).toBe(true); // 45 < 45.5
      expect(isProvisionalMonth("2025-04", "2025-06-15", lag(45.5), null)).toBe(false); // 46 ≥ 45.5
      expect(isProvisionalMonth("2025-04", "2025-06-14", lag(45), null)).toBe(false); // 45 ≥ 45: complete
      expect(isProvisionalMonth("2025-04", "2025-06-13", lag(45), null)).toBe(true);
      // No lag known at all: nothing to judge by, not provisional.
      expect(isProvisionalMonth("2025-04", "2025-05-01", { allPayers: null, byPayer: new Map() }, null)).toBe(false);
    });

    it("a month of a non-month breakdown is never provisional", async () => {
      for (const groupBy of ["payer", "plan", "product_line"] as const) {
        const r = await compute(db, QUALITY_OFFICER, query(groupBy));
        expect(r.rows.some((x) => x.flags.includes("provisional"))).toBe(false);
      }
    });
  });
});
