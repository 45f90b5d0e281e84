import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { countMeasureByPayer } from "../support/measure-counts";
import { ENGINES, freshDatabase, type TestDatabase } from "../support/databases";
import { claimLine, importFixture, type FixtureRow } from "../support/fixture-folder";

// SPEC D7 (attribution): the plan of the coverage span active on the anchor date (start <= date
// <= end, blank end open); several active: latest start, then smallest plan_id in byte order;
// none: the billed plan of the first line for claim-sourced orders and episodes (earliest
// service date, smallest claim_id, smallest line_number), else Unknown payer. The payer is the
// plan's payer. One member per case, all in one import.

const AS_OF = "2025-12-31";

const PLANS: FixtureRow[] = [
  { plan_id: "P-OLD", payer: "Aetna", plan_name: "Old plan", product_line: "commercial" },
  { plan_id: "P-NEW", payer: "UnitedHealthcare", plan_name: "New plan", product_line: "commercial" },
  // Byte order: "B-PLAN" (0x42) < "b-plan" (0x62), and "Z1" (0x5A) < "a1" (0x61); a locale
  // collation (en_US) would put the lower-case ids first.
  { plan_id: "b-plan", payer: "Blue Cross Blue Shield", plan_name: "lower", product_line: "commercial" },
  { plan_id: "B-PLAN", payer: "Cigna Health", plan_name: "upper", product_line: "commercial" },
  { plan_id: "a1", payer: "Acme Health", plan_name: "a1", product_line: "other" },
  { plan_id: "Z1", payer: "Medicare", plan_name: "Z1", product_line: "medicare_ffs" },
  { plan_id: "P-BILL-X", payer: "Humana", plan_name: "billed X", product_line: "medicare_advantage" },
  { plan_id: "P-BILL-Y", payer: "Kaiser", plan_name: "billed Y", product_line: "commercial" },
];

const COVERAGE: FixtureRow[] = [
  { member_id: "A-SWITCH", plan_id: "P-OLD", start_date: "2024-01-01", end_date: "2025-03-31" },
  { member_id: "A-SWITCH", plan_id: "P-NEW", start_date: "2025-04-01", end_date: "" },
  { member_id: "A-OVERLAP", plan_id: "P-NEW", start_date: "2025-01-01", end_date: "" },
  { member_id: "A-OVERLAP", plan_id: "P-OLD", start_date: "2020-01-01", end_date: "" },
  { member_id: "A-TIE-CASE", plan_id: "b-plan", start_date: "2025-01-01", end_date: "" },
  { member_id: "A-TIE-CASE", plan_id: "B-PLAN", start_date: "2025-01-01", end_date: "" },
  { member_id: "A-TIE-ZA", plan_id: "a1", start_date: "2025-01-01", end_date: "2025-12-31" },
  { member_id: "A-TIE-ZA", plan_id: "Z1", start_date: "2025-01-01", end_date: "2026-12-31" },
  { member_id: "A-ACME", plan_id: "a1", start_date: "2025-01-01", end_date: "" },
  { member_id: "A-ENDED", plan_id: "P-OLD", start_date: "2024-01-01", end_date: "2024-12-31" },
  { member_id: "FB-COVERED", plan_id: "P-NEW", start_date: "2025-01-01", end_date: "" },
  { member_id: "EP-COVERED", plan_id: "b-plan", start_date: "2025-01-01", end_date: "" },
  { member_id: "EP-ENDED", plan_id: "P-OLD", start_date: "2024-01-01", end_date: "2025-02-28" },
  { member_id: "SCR-TIE", plan_id: "b-plan", start_date: "2024-01-01", end_date: "" },
  { member_id: "SCR-TIE", plan_id: "B-PLAN", start_date: "2024-01-01", end_date: "" },
  { member_id: "SCR-SWITCH", plan_id: "P-OLD", start_date: "2024-01-01", end_date: "2025-06-30" },
  { member_id: "SCR-SWITCH", plan_id: "P-NEW", start_date: "2025-07-01", end_date: "" },
];

const ORDERS: FixtureRow[] = [
  { order_id: "SW-BEFORE", member_id: "A-SWITCH", order_date: "2023-12-31" }, // before any span
  { order_id: "SW-END", member_id: "A-SWITCH", order_date: "2025-03-31" }, // P-OLD's end date: inclusive
  { order_id: "SW-START", member_id: "A-SWITCH", order_date: "2025-04-01" }, // P-NEW's start date
  { order_id: "SW-OPEN", member_id: "A-SWITCH", order_date: "2025-11-01" }, // blank end: still enrolled
  { order_id: "OV-ONE", member_id: "A-OVERLAP", order_date: "2024-06-01" }, // only P-OLD active
  { order_id: "OV-BOTH", member_id: "A-OVERLAP", order_date: "2025-02-01" }, // both active
  { order_id: "TIE-CASE", member_id: "A-TIE-CASE", order_date: "2025-02-01" },
  { order_id: "TIE-ZA", member_id: "A-TIE-ZA", order_date: "2025-02-01" },
  { order_id: "ACME", member_id: "A-ACME", order_date: "2025-02-01" },
  { order_id: "ENDED-EHR", member_id: "A-ENDED", order_date: "2025-02-01" },
];

let claimSeq = 0;
const line = (member_id: string, plan_id: string, service_date: string, procedure_code: string, extra: Partial<FixtureRow> = {}): FixtureRow =>
  claimLine({ claim_id: `AT${String(++claimSeq).padStart(3, "0")}`, member_id, plan_id, service_date, procedure_code, received_date: "2025-11-01", ...extra });
const fracture = (member_id: string, plan_id: string, service_date: string, extra: Partial<FixtureRow> = {}) =>
  line(member_id, plan_id, service_date, "99283", { diagnosis_codes: "S72.001A", ...extra });

const CLAIMS: FixtureRow[] = [
  // A-ENDED has claims billed to P-BILL-X around its EHR order (none a 3096F, which the order
  // would absorb): an EHR order never falls back to a billed plan.
  line("A-ENDED", "P-BILL-X", "2025-02-01", "99213"),
  line("A-ENDED", "P-BILL-X", "2025-02-03", "77080"),
  // ... while its 3096F line far from the EHR order becomes a claim-sourced order, which does.
  line("A-ENDED", "P-BILL-X", "2025-06-01", "3096F", { claim_id: "END-3096" }),
  // Claim-sourced orders with no active span: the billed plan of the first line.
  line("FB-DATE", "P-BILL-X", "2025-02-05", "3096F", { claim_id: "AA" }), // smaller claim_id, later date
  line("FB-DATE", "P-BILL-Y", "2025-02-01", "3096F", { claim_id: "ZZ" }), // earliest date: first
  line("FB-CLAIM", "P-BILL-Y", "2025-02-01", "3096F", { claim_id: "CB" }),
  line("FB-CLAIM", "P-BILL-X", "2025-02-01", "3096F", { claim_id: "CA" }), // same date, smaller claim_id
  // Same date, same claim: the smaller line_number (2) is first. (Contrived: lines of one claim
  // billing different plans, to see the last tie-break.)
  line("FB-LINE", "P-BILL-Y", "2025-02-01", "3096F", { claim_id: "CL", line_number: 3 }),
  line("FB-LINE", "P-BILL-X", "2025-02-01", "3096F", { claim_id: "CL", line_number: 2 }),
  // An active span beats the billed plan.
  line("FB-COVERED", "P-BILL-X", "2025-02-01", "3096F"),
  // Episodes with no active span: the billed plan of the first line.
  fracture("EP-DATE", "P-BILL-X", "2025-03-05", { claim_id: "EA" }),
  fracture("EP-DATE", "P-BILL-Y", "2025-03-01", { claim_id: "EZ" }),
  fracture("EP-CLAIM", "P-BILL-Y", "2025-03-01", { claim_id: "EB" }),
  fracture("EP-CLAIM", "P-BILL-X", "2025-03-01", { claim_id: "EA2" }),
  fracture("EP-COVERED", "P-BILL-X", "2025-03-01"),
  // Coverage ended 02-28: the 03-01 episode falls back to its billed plan.
  fracture("EP-ENDED", "P-BILL-Y", "2025-03-01"),
  claimLine({ claim_id: "CLOCK", member_id: "CLOCK", plan_id: "P-OLD", service_date: "2025-12-01", procedure_code: "99213", received_date: AS_OF }),
];

// Women 65–85 only for the screening_ordering check; everyone else is a man (and 50+).
const WOMEN = new Set(["SCR-TIE", "SCR-SWITCH"]);

type Attribution = { plan_id: string | null; payer_key: string };

describe.each(ENGINES)("D7 attribution on %s", (engine) => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await freshDatabase(engine);
    // Plan ids sort in byte order by their columns' collation (db/schema/identifier.ts), where
    // byte order and a plain ORDER BY agree. Give the coverage plan ids a locale (ICU root)
    // collation, as a database altered by hand might have, so that the rule the attribution
    // query states itself is observable here.
    await db.exec(`ALTER TABLE coverage ALTER COLUMN plan_id TYPE text COLLATE "und-x-icu"`);
    const members = [...new Set([...COVERAGE, ...ORDERS, ...CLAIMS].map((r) => String(r.member_id)))];
    await importFixture(db, {
      "plans.csv": PLANS,
      "members.csv": members.map((member_id) => ({ member_id, birth_date: "1950-01-01", sex: WOMEN.has(member_id) ? "F" : "M" })),
      "coverage.csv": COVERAGE,
      "orders.csv": ORDERS,
      "claim_lines.csv": CLAIMS,
    });
  });
  afterAll(() => db?.dispose());

  const order = async (orderId: string): Promise<Attribution> => {
    const rows = await db.query<Attribution>(`SELECT plan_id, payer_key FROM order_facts WHERE as_of = $1::date AND order_id = $2`, [
      AS_OF,
      orderId,
    ]);
    expect(rows).toHaveLength(1);
    return rows[0]!;
  };
  const ordersOf = (member: string) =>
    db.query<Attribution & { order_id: string; source: string; order_date: string }>(
      `SELECT order_id, source::text, order_date, plan_id, payer_key FROM order_facts
       WHERE as_of = $1::date AND member_id = $2 ORDER BY order_date`,
      [AS_OF, member],
    );
  const episodesOf = (member: string) =>
    db.query<Attribution & { episode_date: string }>(
      `SELECT episode_date, plan_id, payer_key FROM fracture_episodes WHERE as_of = $1::date AND member_id = $2 ORDER BY episode_date`,
      [AS_OF, member],
    );

  it("after a plan switch an order goes to the plan active on its date; the end date is inclusive", async () => {
    expect(await order("SW-END")).toEqual({ plan_id: "P-OLD", payer_key: "aetna" });
    expect(await order("SW-START")).toEqual({ plan_id: "P-NEW", payer_key: "uhc" });
  });

  it("a blank end date is open", async () => {
    expect(await order("SW-OPEN")).toEqual({ plan_id: "P-NEW", payer_key: "uhc" });
  });

  it("an EHR order before any coverage span goes to Unknown payer", async () => {
    expect(await order("SW-BEFORE")).toEqual({ plan_id: null, payer_key: "unknown" });
  });

  it("several active spans: the latest start wins (file order does not matter)", async () => {
    expect(await order("OV-ONE")).toEqual({ plan_id: "P-OLD", payer_key: "aetna" });
    expect(await order("OV-BOTH")).toEqual({ plan_id: "P-NEW", payer_key: "uhc" });
  });

  it("the fixture can tell byte order from the locale order of the coverage column", async () => {
    const rows = await db.query<{ plan_id: string }>(
      `SELECT plan_id FROM coverage WHERE member_id IN ('A-TIE-CASE', 'A-TIE-ZA') ORDER BY plan_id`,
    );
    expect(rows.map((r) => r.plan_id)).toEqual(["a1", "b-plan", "B-PLAN", "Z1"]);
  });

  it('a tie on start goes to the smallest plan_id in byte order: "B-PLAN" before "b-plan"', async () => {
    expect(await order("TIE-CASE")).toEqual({ plan_id: "B-PLAN", payer_key: "cigna" });
  });

  it('a tie on start goes to the smallest plan_id in byte order: "Z1" before "a1" (end dates do not matter)', async () => {
    expect(await order("TIE-ZA")).toEqual({ plan_id: "Z1", payer_key: "medicare" });
  });

  it("the payer is the plan's payer, a payer outside the five included", async () => {
    expect(await order("ACME")).toEqual({ plan_id: "a1", payer_key: "acme-health" });
  });

  it("an EHR order with no active span goes to Unknown payer even when its member has claims billed to a plan", async () => {
    expect(await order("ENDED-EHR")).toEqual({ plan_id: null, payer_key: "unknown" });
    // The same member's claim-sourced order does fall back to its billed plan.
    expect(await order("claim:END-3096#1")).toEqual({ plan_id: "P-BILL-X", payer_key: "humana" });
  });

  it("a claim-sourced order with no active span: the billed plan of the line with the earliest service date", async () => {
    expect(await ordersOf("FB-DATE")).toEqual([
      { order_id: "claim:ZZ#1", source: "claim", order_date: "2025-02-01", plan_id: "P-BILL-Y", payer_key: "kaiser" },
    ]);
  });

  it("… then of the smallest claim_id", async () => {
    expect(await ordersOf("FB-CLAIM")).toEqual([
      { order_id: "claim:CA#1", source: "claim", order_date: "2025-02-01", plan_id: "P-BILL-X", payer_key: "humana" },
    ]);
  });

  it("… then of the smallest line_number", async () => {
    expect(await ordersOf("FB-LINE")).toEqual([
      { order_id: "claim:CL#2", source: "claim", order_date: "2025-02-01", plan_id: "P-BILL-X", payer_key: "humana" },
    ]);
  });

  it("a claim-sourced order with an active span goes to the span's plan, not the billed one", async () => {
    expect((await ordersOf("FB-COVERED")).map(({ plan_id, payer_key }) => ({ plan_id, payer_key }))).toEqual([
      { plan_id: "P-NEW", payer_key: "uhc" },
    ]);
  });

  it("an episode with no active span: the billed plan of its first line (earliest date, then smallest claim_id)", async () => {
    expect(await episodesOf("EP-DATE")).toEqual([{ episode_date: "2025-03-01", plan_id: "P-BILL-Y", payer_key: "kaiser" }]);
    expect(await episodesOf("EP-CLAIM")).toEqual([{ episode_date: "2025-03-01", plan_id: "P-BILL-X", payer_key: "humana" }]);
    // Coverage ended the day before the episode.
    expect(await episodesOf("EP-ENDED")).toEqual([{ episode_date: "2025-03-01", plan_id: "P-BILL-Y", payer_key: "kaiser" }]);
  });

  it("an episode with an active span goes to the span's plan, not the billed one", async () => {
    expect(await episodesOf("EP-COVERED")).toEqual([{ episode_date: "2025-03-01", plan_id: "b-plan", payer_key: "bcbs" }]);
  });

  it("screening_ordering attributes each woman at the period end, with the same tie-break", async () => {
    // SCR-TIE: b-plan and B-PLAN start the same day → B-PLAN (Cigna). SCR-SWITCH: P-NEW is
    // active on 2025-12-31 (Unitedhealthcare). Neither has an order: numerator 0.
    const rows = await countMeasureByPayer(db, "screening_ordering", { asOf: AS_OF, from: "2025-01-01", to: "2025-12-31", window: 90 });
    expect(rows.sort((a, b) => a.payerKey.localeCompare(b.payerKey))).toEqual([
      { payerKey: "cigna", denominator: 1, numerator: 0, pending: 0 },
      { payerKey: "uhc", denominator: 1, numerator: 0, pending: 0 },
    ]);
  });
});
