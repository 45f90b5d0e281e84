import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolveSnapshot } from "@/lib/measures/snapshot";
import { ENGINES, freshDatabase, type TestDatabase } from "../support/databases";
import { claimLine, importFixture, type FixtureRow } from "../support/fixture-folder";

// SPEC D1 (effective claim lines) and the as-of rule of section 5: each claim is a separate
// member so that one import holds every case without interference.

const PLAN = "P-AET";
const AS_OF = "2025-12-31"; // the CLOCK claim's received_date, the latest of all: the default as-of
const EARLY_AS_OF = "2025-06-30";

const line = (claim_id: string, member_id: string, extra: Partial<FixtureRow> & { received_date: string; service_date: string; procedure_code: string }) =>
  claimLine({ claim_id, member_id, plan_id: PLAN, ...extra });

const CLAIMS: FixtureRow[] = [
  // REPL: the original has two lines; the replacement, received later, has only line 1 with a
  // corrected service date. The replacement wins, so line 2 (a 3095F) no longer counts.
  line("REPL", "M-REPL", { line_number: 1, frequency_code: 1, received_date: "2025-02-10", service_date: "2025-02-01", procedure_code: "77080" }),
  line("REPL", "M-REPL", { line_number: 2, frequency_code: 1, received_date: "2025-02-10", service_date: "2025-02-03", procedure_code: "3095F" }),
  line("REPL", "M-REPL", { line_number: 1, frequency_code: 7, received_date: "2025-03-10", service_date: "2025-02-02", procedure_code: "77080" }),
  // TIE871: original, replacement and void all received the same day: the void wins the tie,
  // so the claim counts for nothing.
  line("TIE871", "M-TIE871", { frequency_code: 1, received_date: "2025-04-01", service_date: "2025-03-20", procedure_code: "77080" }),
  line("TIE871", "M-TIE871", { frequency_code: 7, received_date: "2025-04-01", service_date: "2025-03-20", procedure_code: "77080" }),
  line("TIE871", "M-TIE871", { frequency_code: 8, received_date: "2025-04-01", service_date: "2025-03-20", procedure_code: "77080" }),
  // TIE71: original and replacement the same day: the replacement (77085 on the 21st) wins.
  line("TIE71", "M-TIE71", { frequency_code: 1, received_date: "2025-04-01", service_date: "2025-03-20", procedure_code: "77080" }),
  line("TIE71", "M-TIE71", { frequency_code: 7, received_date: "2025-04-01", service_date: "2025-03-21", procedure_code: "77085" }),
  // VOIDED: a void received after the original wins: the whole claim vanishes.
  line("VOIDED", "M-VOID", { frequency_code: 1, received_date: "2025-02-10", service_date: "2025-02-01", procedure_code: "77080" }),
  line("VOIDED", "M-VOID", { line_number: 2, frequency_code: 1, received_date: "2025-02-10", service_date: "2025-02-01", procedure_code: "3096F" }),
  line("VOIDED", "M-VOID", { frequency_code: 8, received_date: "2025-03-10", service_date: "2025-02-01", procedure_code: "77080" }),
  // REVIVED: original, then void, then a replacement received last: the replacement is the
  // latest version, so it counts again.
  line("REVIVED", "M-REVIVED", { frequency_code: 1, received_date: "2025-02-10", service_date: "2025-02-01", procedure_code: "77080" }),
  line("REVIVED", "M-REVIVED", { frequency_code: 8, received_date: "2025-03-10", service_date: "2025-02-01", procedure_code: "77080" }),
  line("REVIVED", "M-REVIVED", { frequency_code: 7, received_date: "2025-04-10", service_date: "2025-02-01", procedure_code: "77085" }),
  // LATEORIG: the greatest received_date wins whatever the frequency code; the frequency only
  // breaks ties. The original received after the replacement is the winner.
  line("LATEORIG", "M-LATEORIG", { frequency_code: 7, received_date: "2025-03-10", service_date: "2025-02-01", procedure_code: "77080" }),
  line("LATEORIG", "M-LATEORIG", { frequency_code: 1, received_date: "2025-04-10", service_date: "2025-02-01", procedure_code: "77085" }),
  // Denied and pending lines are effective lines: a denied scan still happened.
  line("DENIED", "M-DENIED", { received_date: "2025-02-10", service_date: "2025-02-01", procedure_code: "77080", line_status: "denied" }),
  line("PENDING", "M-PENDING", { received_date: "2025-02-10", service_date: "2025-02-01", procedure_code: "77080", line_status: "pending" }),
  // Snapshot cases (as-of 2025-06-30): versions received after it are ignored.
  line("SNAP-REPL", "M-SNAP-REPL", { frequency_code: 1, received_date: "2025-05-10", service_date: "2025-05-01", procedure_code: "77080" }),
  line("SNAP-REPL", "M-SNAP-REPL", { frequency_code: 7, received_date: "2025-08-10", service_date: "2025-05-02", procedure_code: "77080" }),
  line("SNAP-VOID", "M-SNAP-VOID", { frequency_code: 1, received_date: "2025-05-10", service_date: "2025-05-01", procedure_code: "77080" }),
  line("SNAP-VOID", "M-SNAP-VOID", { frequency_code: 8, received_date: "2025-08-10", service_date: "2025-05-01", procedure_code: "77080" }),
  line("SNAP-NEW", "M-SNAP-NEW", { frequency_code: 1, received_date: "2025-08-10", service_date: "2025-05-01", procedure_code: "77080" }),
  // Received on the as-of date itself: still known on that date, so it wins there.
  line("SNAP-EDGE", "M-SNAP-EDGE", { frequency_code: 1, received_date: "2025-05-10", service_date: "2025-05-01", procedure_code: "77080" }),
  line("SNAP-EDGE", "M-SNAP-EDGE", { frequency_code: 7, received_date: "2025-06-30", service_date: "2025-05-03", procedure_code: "77080" }),
  // A 3096F line known on 2025-06-30, near an EHR order dated after it (see orders.csv).
  line("ABSORB", "M-ORDERS2", { received_date: "2025-06-25", service_date: "2025-06-20", procedure_code: "3096F" }),
  // Sets the default as-of date.
  line("CLOCK", "M-CLOCK", { received_date: AS_OF, service_date: "2025-12-01", procedure_code: "99213" }),
];

const MEMBERS = [...new Set(CLAIMS.map((c) => String(c.member_id)).concat("M-ORDERS"))].map((member_id) => ({
  member_id,
  birth_date: "1950-01-01",
  sex: "F",
}));

type EffectiveLine = { claim_id: string; line_number: number; received_date: string; service_date: string; procedure_code: string; line_status: string };

describe.each(ENGINES)("D1 effective claim lines on %s", (engine) => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await freshDatabase(engine);
    await importFixture(db, {
      "plans.csv": [{ plan_id: PLAN, payer: "Aetna", plan_name: "Aetna PPO", product_line: "commercial" }],
      "members.csv": MEMBERS,
      "claim_lines.csv": CLAIMS,
      // EHR orders dated after an earlier as-of date are ignored in its snapshot.
      "orders.csv": [
        { order_id: "ORD-ON-ASOF", member_id: "M-ORDERS", order_date: EARLY_AS_OF },
        { order_id: "ORD-AFTER-ASOF", member_id: "M-ORDERS", order_date: "2025-07-01" },
        { order_id: "ORD-LATER", member_id: "M-ORDERS2", order_date: "2025-07-01" },
      ],
    });
  });
  afterAll(() => db?.dispose());

  const effectiveLines = (asOf: string) =>
    db.query<EffectiveLine>(
      `SELECT claim_id, line_number, received_date, service_date, procedure_code, line_status::text
       FROM effective_lines WHERE as_of = $1::date ORDER BY claim_id COLLATE "C", line_number`,
      [asOf],
    );
  const byClaim = (lines: EffectiveLine[], claimId: string) =>
    lines.filter((l) => l.claim_id === claimId).map(({ claim_id: _c, ...rest }) => rest);

  it("derives the default snapshot for the latest received_date", async () => {
    expect(await resolveSnapshot(db)).toBe(AS_OF);
  });

  it("a later replacement replaces the original's lines; a line absent from it no longer counts", async () => {
    const lines = await effectiveLines(AS_OF);
    expect(byClaim(lines, "REPL")).toEqual([
      { line_number: 1, received_date: "2025-03-10", service_date: "2025-02-02", procedure_code: "77080", line_status: "paid" },
    ]);
    // Downstream: the study is dated by the replacement, and the dropped 3095F documents nothing.
    const studies = await db.query(`SELECT study_date, result_date FROM dxa_studies WHERE as_of = $1::date AND member_id = 'M-REPL'`, [AS_OF]);
    expect(studies).toEqual([{ study_date: "2025-02-02", result_date: null }]);
  });

  it("a void wins a same-day tie with a replacement and an original", async () => {
    const lines = await effectiveLines(AS_OF);
    expect(byClaim(lines, "TIE871")).toEqual([]);
  });

  it("a replacement wins a same-day tie with an original", async () => {
    const lines = await effectiveLines(AS_OF);
    expect(byClaim(lines, "TIE71")).toEqual([
      { line_number: 1, received_date: "2025-04-01", service_date: "2025-03-21", procedure_code: "77085", line_status: "paid" },
    ]);
  });

  it("a winning void makes the whole claim vanish, downstream facts included", async () => {
    const lines = await effectiveLines(AS_OF);
    expect(byClaim(lines, "VOIDED")).toEqual([]);
    // Its 77080 made no study and its 3096F made no claim-sourced order.
    const [facts] = await db.query<{ studies: number; orders: number }>(
      `SELECT (SELECT count(*) FROM dxa_studies WHERE as_of = $1::date AND member_id = 'M-VOID')::int AS studies,
              (SELECT count(*) FROM order_facts WHERE as_of = $1::date AND member_id = 'M-VOID')::int AS orders`,
      [AS_OF],
    );
    expect(facts).toEqual({ studies: 0, orders: 0 });
  });

  it("a replacement received after a void is the latest version and counts", async () => {
    const lines = await effectiveLines(AS_OF);
    expect(byClaim(lines, "REVIVED")).toEqual([
      { line_number: 1, received_date: "2025-04-10", service_date: "2025-02-01", procedure_code: "77085", line_status: "paid" },
    ]);
  });

  it("the greatest received_date wins even when that version is an original", async () => {
    const lines = await effectiveLines(AS_OF);
    expect(byClaim(lines, "LATEORIG")).toEqual([
      { line_number: 1, received_date: "2025-04-10", service_date: "2025-02-01", procedure_code: "77085", line_status: "paid" },
    ]);
  });

  it("denied and pending lines are effective and still make studies", async () => {
    const lines = await effectiveLines(AS_OF);
    expect(byClaim(lines, "DENIED").map((l) => l.line_status)).toEqual(["denied"]);
    expect(byClaim(lines, "PENDING").map((l) => l.line_status)).toEqual(["pending"]);
    const studies = await db.query(
      `SELECT member_id, study_date, denied_line_count FROM dxa_studies
       WHERE as_of = $1::date AND member_id IN ('M-DENIED', 'M-PENDING') ORDER BY member_id`,
      [AS_OF],
    );
    expect(studies).toEqual([
      { member_id: "M-DENIED", study_date: "2025-02-01", denied_line_count: 1 },
      { member_id: "M-PENDING", study_date: "2025-02-01", denied_line_count: 0 },
    ]);
  });

  it("in the default snapshot, versions received after 2025-06-30 have won", async () => {
    const lines = await effectiveLines(AS_OF);
    expect(byClaim(lines, "SNAP-REPL").map((l) => l.service_date)).toEqual(["2025-05-02"]);
    expect(byClaim(lines, "SNAP-VOID")).toEqual([]);
    expect(byClaim(lines, "SNAP-NEW").map((l) => l.service_date)).toEqual(["2025-05-01"]);
    expect(byClaim(lines, "SNAP-EDGE").map((l) => l.service_date)).toEqual(["2025-05-03"]);
  });

  it("an earlier as-of snapshot ignores versions received after it", async () => {
    expect(await resolveSnapshot(db, EARLY_AS_OF)).toBe(EARLY_AS_OF);
    const lines = await effectiveLines(EARLY_AS_OF);
    // The replacement of 2025-08-10 did not exist yet: the original (service 05-01) stands.
    expect(byClaim(lines, "SNAP-REPL")).toEqual([
      { line_number: 1, received_date: "2025-05-10", service_date: "2025-05-01", procedure_code: "77080", line_status: "paid" },
    ]);
    // The void of 2025-08-10 did not exist yet: the claim still counts.
    expect(byClaim(lines, "SNAP-VOID").map((l) => l.received_date)).toEqual(["2025-05-10"]);
    // A claim first received after the as-of date is unknown then.
    expect(byClaim(lines, "SNAP-NEW")).toEqual([]);
    // A version received on the as-of date itself is known on it.
    expect(byClaim(lines, "SNAP-EDGE").map((l) => l.received_date)).toEqual(["2025-06-30"]);
    // The CLOCK claim (received 2025-12-31) is unknown too.
    expect(byClaim(lines, "CLOCK")).toEqual([]);
    // And the studies follow: SNAP-REPL dated by the original, SNAP-VOID present, SNAP-NEW absent.
    const studies = await db.query(
      `SELECT member_id, study_date FROM dxa_studies WHERE as_of = $1::date AND member_id LIKE 'M-SNAP%' ORDER BY member_id`,
      [EARLY_AS_OF],
    );
    expect(studies).toEqual([
      { member_id: "M-SNAP-EDGE", study_date: "2025-05-03" },
      { member_id: "M-SNAP-REPL", study_date: "2025-05-01" },
      { member_id: "M-SNAP-VOID", study_date: "2025-05-01" },
    ]);
  });

  it("an earlier as-of snapshot ignores EHR orders dated after it (but keeps one dated on it)", async () => {
    expect(await resolveSnapshot(db, EARLY_AS_OF)).toBe(EARLY_AS_OF);
    const early = await db.query<{ order_id: string }>(
      `SELECT order_id FROM order_facts WHERE as_of = $1::date AND member_id = 'M-ORDERS' ORDER BY order_id`,
      [EARLY_AS_OF],
    );
    expect(early.map((o) => o.order_id)).toEqual(["ORD-ON-ASOF"]);
    const latest = await db.query<{ order_id: string }>(
      `SELECT order_id FROM order_facts WHERE as_of = $1::date AND member_id = 'M-ORDERS' ORDER BY order_id`,
      [AS_OF],
    );
    expect(latest.map((o) => o.order_id)).toEqual(["ORD-AFTER-ASOF", "ORD-ON-ASOF"]);
  });

  it("D3 runs on the rest: a 3096F line near an EHR order dated after the as-of date is an order of its own then", async () => {
    expect(await resolveSnapshot(db, EARLY_AS_OF)).toBe(EARLY_AS_OF);
    const ordersOf = (asOf: string) =>
      db.query(
        `SELECT order_id, source::text, order_date, captured FROM order_facts
         WHERE as_of = $1::date AND member_id = 'M-ORDERS2' ORDER BY order_id COLLATE "C"`,
        [asOf],
      );
    // On 2025-06-30 ORD-LATER (07-01) does not exist: the 06-20 line is near no EHR order.
    expect(await ordersOf(EARLY_AS_OF)).toEqual([{ order_id: "claim:ABSORB#1", source: "claim", order_date: "2025-06-20", captured: true }]);
    // By the default as-of the order exists, lies 11 days after the line, and absorbs it.
    expect(await ordersOf(AS_OF)).toEqual([{ order_id: "ORD-LATER", source: "ehr", order_date: "2025-07-01", captured: true }]);
  });
});
