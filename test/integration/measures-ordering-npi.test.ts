import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addDays } from "@/lib/dates";
import { importFolder } from "@/lib/import";
import { MEASURE_KEYS, ORDERING_NPI_MEASURES, resolveSnapshot, UnsupportedGroupByError, type MeasureQuery, type MeasureRow, type ReportableRow } from "@/lib/measures";
import { invalidCombinations, measureSummaryRecords } from "@/lib/reports";
import { ENGINES, freshDatabase, type TestDatabase } from "../support/databases";
import { claimLine, importFixture, type FixtureRow } from "../support/fixture-folder";
import { compute, measure, QUALITY_OFFICER, viewerAs } from "../support/viewers";

// "Who orders" (issue 14, item 5): the order-based measures by ordering clinician NPI, on a
// fixture whose every count is worked out by hand below from SPEC sections 4 and 5.
//
// As-of 2025-06-30 (the latest received date: a5's study, received the day it was done);
// period 2025-01-01 … 2025-06-30; W = 30, so follow-up is mature for orders dated ≤ 2025-05-31,
// capture (14 days) for orders dated ≤ 2025-06-16. Every member has one order; studies are
// 77080 lines, results 3095F lines, captures 3096F lines. Plans: AET (Aetna, commercial), MCR
// (Medicare, medicare_ffs).
//
// NPI A 1234567893
//   a1 AET 01-10  study +10, result +5 (documented), 3096F same day (captured)
//   a2 AET 02-10  study +20, no result,               3096F +14 (captured: the boundary)
//   a3 AET 03-10  study +31 (outside W = 30),         no 3096F
//   a4 AET 06-20  no study (follow-up pending),        3096F +2, but capture pending (06-20 + 14 > as-of)
//   a5 AET 05-31  study +30 = 06-30 (inside W, mature exactly on as-of), result same day, 3096F −14 (captured)
//   a6 AET 2024-12-20 (before the period: left out), study +5
// NPI B 1987654328
//   b1 MCR 01-15  study +5, result +30 (documented: the boundary), no 3096F
//   b2 MCR 04-01  no study, no 3096F
//   b3 MCR a 3096F line on 03-05 billed by B, no EHR order: a claim-sourced order (D3) of NPI B;
//          study +15, no result. Not in capture (claim-sourced).
//   b4 MCR 02-01  cancelled: in no measure
// NPI C 1456789019
//   c1 AET 06-25  no study (pending in both)
// NPI D 1765432103
//   d01–d12 AET 02-01 … 02-12, the first 11 scanned +10 without a result, no 3096F
// No NPI
//   n1 AET 02-20  study +3, result +1, 3096F +1 (captured)
//   n2 MCR 03-20  no study, no 3096F
//
// By NPI, [denominator, numerator, pending]:
//   order_follow_up   D [12, 11, 0]  A [4, 3, 1] (a1 a2 a5 of a1 a2 a3 a5; a4 pending)  B [3, 2, 0] (b1 b3 of b1 b2 b3)
//                     C [0, 0, 1]  none [2, 1, 0]                                total [21, 17, 2]
//   result_documented D [11, 0, 0]  A [3, 2, 0] (a1 a5)  B [2, 1, 0] (b1)  C [0, 0, 0]  none [1, 1, 0]  total [17, 4, 0]
//   order_capture     D [12, 0, 0]  A [4, 3, 1] (a1 a2 a5; a4 pending)  B [2, 0, 0] (b1 b2; b3 is no EHR order)
//                     C [0, 0, 1]  none [2, 1, 0]                                total [20, 4, 2]
// Rows: largest denominator first, then pending; the orders without an NPI last.

const AS_OF = "2025-06-30";
const A = "1234567893";
const B = "1987654328";
const C = "1456789019";
const D = "1765432103";

const PLANS: FixtureRow[] = [
  { plan_id: "AET", payer: "Aetna", plan_name: "Aetna Choice", product_line: "commercial" },
  { plan_id: "MCR", payer: "Medicare", plan_name: "Medicare Part B", product_line: "medicare_ffs" },
];

const members: { id: string; plan: string }[] = [];
const orders: FixtureRow[] = [];
const claims: FixtureRow[] = [];
let claimSeq = 0;

function addLine(member: string, plan: string, date: string, code: string, npi = ""): void {
  claims.push(claimLine({ claim_id: `N${String(++claimSeq).padStart(4, "0")}`, member_id: member, plan_id: plan, service_date: date, procedure_code: code, received_date: date, rendering_npi: npi }));
}

type Case = { study?: number; result?: number; capture?: number; status?: "cancelled" };

function order(id: string, plan: string, date: string, npi: string, c: Case = {}): void {
  members.push({ id, plan });
  orders.push({ order_id: `O-${id}`, member_id: id, order_date: date, ordering_npi: npi, status: c.status ?? "active" });
  if (c.study !== undefined) {
    const study = addDays(date, c.study);
    addLine(id, plan, study, "77080");
    if (c.result !== undefined) addLine(id, plan, addDays(study, c.result), "3095F");
  }
  if (c.capture !== undefined) addLine(id, plan, addDays(date, c.capture), "3096F", npi);
}

order("a1", "AET", "2025-01-10", A, { study: 10, result: 5, capture: 0 });
order("a2", "AET", "2025-02-10", A, { study: 20, capture: 14 });
order("a3", "AET", "2025-03-10", A, { study: 31 });
order("a4", "AET", "2025-06-20", A, { capture: 2 });
order("a5", "AET", "2025-05-31", A, { study: 30, result: 0, capture: -14 });
order("a6", "AET", "2024-12-20", A, { study: 5 });
order("b1", "MCR", "2025-01-15", B, { study: 5, result: 30 });
order("b2", "MCR", "2025-04-01", B);
order("b4", "MCR", "2025-02-01", B, { status: "cancelled" });
members.push({ id: "b3", plan: "MCR" });
addLine("b3", "MCR", "2025-03-05", "3096F", B);
addLine("b3", "MCR", "2025-03-20", "77080");
order("c1", "AET", "2025-06-25", C);
for (let i = 0; i < 12; i++) order(`d${String(i + 1).padStart(2, "0")}`, "AET", addDays("2025-02-01", i), D, i < 11 ? { study: 10 } : {});
order("n1", "AET", "2025-02-20", "", { study: 3, result: 1, capture: 1 });
order("n2", "MCR", "2025-03-20", "");

type Counts = [number | null, number | null, number | null];
const EXPECTED: Record<(typeof ORDERING_NPI_MEASURES)[number], { rows: [string | null, ...Counts][]; total: Counts }> = {
  order_follow_up: {
    rows: [
      [D, 12, 11, 0],
      [A, 4, 3, 1],
      [B, 3, 2, 0],
      [C, 0, 0, 1],
      [null, 2, 1, 0],
    ],
    total: [21, 17, 2],
  },
  result_documented: {
    rows: [
      [D, 11, 0, 0],
      [A, 3, 2, 0],
      [B, 2, 1, 0],
      [C, 0, 0, 0],
      [null, 1, 1, 0],
    ],
    total: [17, 4, 0],
  },
  order_capture: {
    rows: [
      [D, 12, 0, 0],
      [A, 4, 3, 1],
      [B, 2, 0, 0],
      [C, 0, 0, 1],
      [null, 2, 1, 0],
    ],
    total: [20, 4, 2],
  },
};

const query = (m: MeasureQuery["measure"], extra: Partial<MeasureQuery> = {}): MeasureQuery => ({
  measure: m,
  from: "2025-01-01",
  to: "2025-06-30",
  window: 30,
  asOf: AS_OF,
  groupBy: "ordering_npi",
  ...extra,
});
const counts = (r: Pick<MeasureRow, "denominator" | "numerator" | "pending"> | Pick<ReportableRow, "denominator" | "numerator" | "pending">): Counts => [r.denominator, r.numerator, r.pending];

describe.each(ENGINES)("rates by ordering NPI on %s", (engine) => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await freshDatabase(engine);
    await importFixture(db, {
      "plans.csv": PLANS,
      "members.csv": members.map((m) => ({ member_id: m.id, birth_date: "1950-05-05", sex: "F" })),
      "coverage.csv": members.map((m) => ({ member_id: m.id, plan_id: m.plan, start_date: "2020-01-01", end_date: "" })),
      "orders.csv": orders,
      "claim_lines.csv": claims,
    });
    expect(await resolveSnapshot(db)).toBe(AS_OF);
  });
  afterAll(() => db?.dispose());

  it.each(ORDERING_NPI_MEASURES)("%s: each NPI's denominator, numerator and pending as worked out by hand, the orders without an NPI last", async (m) => {
    const r = await compute(db, QUALITY_OFFICER, query(m));
    expect(r.rows.map((x) => [x.orderingNpi, ...counts(x)])).toEqual(EXPECTED[m].rows);
    expect(counts(r.total)).toEqual(EXPECTED[m].total);
    expect(r.total.orderingNpi).toBeUndefined();
  });

  it.each(ORDERING_NPI_MEASURES)("%s: the NPI rows add up to the measure's total by payer", async (m) => {
    const byNpi = await compute(db, QUALITY_OFFICER, query(m));
    const byPayer = await compute(db, QUALITY_OFFICER, query(m, { groupBy: "payer" }));
    expect(counts(byNpi.total)).toEqual(counts(byPayer.total));
  });

  it("rates, intervals and flags as on every breakdown: 11 of 12 is low volume, 0 of 0 not available", async () => {
    const r = await compute(db, QUALITY_OFFICER, query("order_follow_up"));
    const d = r.rows[0]!;
    expect(d.rate).toBeCloseTo(11 / 12, 10);
    expect(d.flags).toEqual(["low_volume"]);
    expect(r.rows.find((x) => x.orderingNpi === C)!.flags).toEqual(["not_available"]);
    expect(r.rows.find((x) => x.orderingNpi === C)!.rate).toBeNull();
    expect(r.total.flags).toEqual([]); // 21 ≥ 20
  });

  it("the period, payer and product-line filters narrow the orders counted", async () => {
    // Medicare only: B's three (b1 b2 b3) and n2; no Aetna NPI appears.
    const mcr = await compute(db, QUALITY_OFFICER, query("order_follow_up", { payers: ["medicare"] }));
    expect(mcr.rows.map((x) => [x.orderingNpi, ...counts(x)])).toEqual([
      [B, 3, 2, 0],
      [null, 1, 0, 0],
    ]);
    // W = 180: mature only when dated on or before 2025-01-01 (+ 180 = as-of): none is, so all
    // 23 live orders of the period are pending (A 5, B 3 with b3, C 1, D 12, none 2).
    const long = await compute(db, QUALITY_OFFICER, query("order_follow_up", { window: 180 }));
    expect(counts(long.total)).toEqual([0, 0, 23]);
    // February only: D's twelve, a2, n1.
    const feb = await compute(db, QUALITY_OFFICER, query("order_follow_up", { from: "2025-02-01", to: "2025-02-28" }));
    expect(feb.rows.map((x) => [x.orderingNpi, ...counts(x)])).toEqual([
      [D, 12, 11, 0],
      [A, 1, 1, 0],
      [null, 1, 1, 0],
    ]);
  });

  it("suppression for a payer-relations viewer (Aetna): only their orders, small cells hidden, the complement too", async () => {
    // Aetna's follow-up by NPI: D [12, 11, 0], A [4, 3, 1], C [0, 0, 1], none [1, 1, 0] (n1);
    // total [17, 15, 2].
    // - small cells (1–10): A's 4, 3, 1; C's pending 1; none's 1 and 1;
    // - each column then has two hidden cells: nothing is worked out from the total;
    // - D: 12 − 11 = 1 is small, so D's numerator is hidden too (≥11) and with it D's rate;
    // - total: pending 2 small, 17 − 15 = 2 small → numerator hidden (≥11), rate hidden.
    const viewer = viewerAs("payer_relations", ["aetna"]);
    const r = await measure(db, viewer, query("order_follow_up"));
    expect(r.suppressed).toBe(true);
    const shown = (x: ReportableRow) => [x.orderingNpi ?? null, x.denominator, x.numerator, x.pending, x.rate, x.visibility, x.flags];
    expect(r.rows.map(shown)).toEqual([
      [D, 12, null, 0, null, { denominator: "shown", numerator: "complementary", pending: "shown", rateHidden: true }, ["low_volume", "suppressed"]],
      [A, null, null, null, null, { denominator: "small", numerator: "small", pending: "small", rateHidden: true }, ["low_volume", "suppressed"]],
      [C, 0, 0, null, null, { denominator: "shown", numerator: "shown", pending: "small", rateHidden: false }, ["not_available", "suppressed"]],
      [null, null, null, 0, null, { denominator: "small", numerator: "small", pending: "shown", rateHidden: true }, ["low_volume", "suppressed"]],
    ]);
    expect(shown(r.total)).toEqual([null, 17, null, null, null, { denominator: "shown", numerator: "complementary", pending: "small", rateHidden: true }, ["low_volume", "suppressed"]]);
    // The CSV rows are the same cells: ≥11, <11, the NPI in the last column, All on the total.
    const records = measureSummaryRecords(r);
    expect(records.map((x) => [x[16], x[7], x[8], x[9], x[12]])).toEqual([
      [D, "12", "≥11", "", "0"],
      [A, "<11", "<11", "", "<11"],
      [C, "0", "0", "", "<11"],
      ["No NPI recorded", "<11", "<11", "", "0"],
      ["All", "17", "≥11", "", "<11"],
    ]);
  });

  it.each(MEASURE_KEYS.filter((m) => !(ORDERING_NPI_MEASURES as readonly string[]).includes(m)))(
    "%s has no ordering NPI: the engine refuses it, and measure-summary.csv names groupBy",
    async (m) => {
      await expect(compute(db, QUALITY_OFFICER, query(m))).rejects.toBeInstanceOf(UnsupportedGroupByError);
      const [invalid] = invalidCombinations("measure-summary", { measure: m, groupBy: "ordering_npi" });
      expect(invalid).toMatchObject({ name: "groupBy", value: "ordering_npi" });
      expect(invalid!.allowed).toMatch(/ordering_npi only with measure=order_follow_up, result_documented, order_capture/);
    },
  );
});

// The shared public deck: for each parameter set, the NPI rows of each order-based measure add
// up to the all-payer figures of expected.json.
const DECK = path.resolve(import.meta.dirname, "../fixtures/public-deck");
type DeckCase = {
  as_of: string;
  params: { from: string; to: string; window: 30 | 60 | 90 | 180; asOf?: string };
  expected: Record<string, Record<string, { denominator: number; numerator: number; pending: number }>>;
};
const deckCases = JSON.parse(readFileSync(path.join(DECK, "expected.json"), "utf8")) as DeckCase[];

describe.each(ENGINES)("public deck by ordering NPI on %s", (engine) => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await freshDatabase(engine);
    const result = await importFolder(db, path.join(DECK, "data"), { importedBy: "test" });
    expect(result.problems).toEqual([]);
  });
  afterAll(() => db?.dispose());

  it.each(deckCases.map((c, i) => [i + 1, c] as const))("parameter set %i: the sum over NPIs is expected.json's All", async (_n, deckCase) => {
    const asOf = await resolveSnapshot(db, deckCase.params.asOf);
    expect(asOf).toBe(deckCase.as_of);
    for (const m of ORDERING_NPI_MEASURES) {
      const { from, to, window } = deckCase.params;
      const r = await compute(db, QUALITY_OFFICER, { measure: m, from, to, window, asOf: asOf!, groupBy: "ordering_npi" });
      const sum = (k: "denominator" | "numerator" | "pending") => r.rows.reduce((n, x) => n + x[k], 0);
      expect({ denominator: sum("denominator"), numerator: sum("numerator"), pending: sum("pending") }, m).toEqual(deckCase.expected[m]!.All);
      expect({ denominator: r.total.denominator, numerator: r.total.numerator, pending: r.total.pending }, m).toEqual(deckCase.expected[m]!.All);
      expect(r.rows.length, m).toBeGreaterThan(1);
      // Every NPI at most once, and at most one row without one, last.
      const npis = r.rows.map((x) => x.orderingNpi);
      expect(new Set(npis).size).toBe(npis.length);
      expect(npis.slice(0, -1)).not.toContain(null);
    }
  });
});
