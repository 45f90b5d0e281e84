import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ENGINES, freshDatabase, type TestDatabase } from "../support/databases";
import { claimLine, importFixture, type FixtureRow } from "../support/fixture-folder";

// SPEC D2 (DXA studies): a line starts a new study when its service date is more than 7 days
// after the START of the current study; billing-complete = a global line, or both TC and 26.
// One member per case, all in one import.

const PLAN = "P-AET";
const AS_OF = "2025-12-31";

let claimSeq = 0;
/** One DXA line on a claim of its own, received a week after service. */
const dxa = (member_id: string, service_date: string, modifiers = "", procedure_code = "77080", claim_id?: string): FixtureRow =>
  claimLine({
    claim_id: claim_id ?? `S${String(++claimSeq).padStart(3, "0")}`,
    member_id,
    plan_id: PLAN,
    service_date,
    procedure_code,
    modifiers,
    received_date: "2025-04-15",
  });

const CLAIMS: FixtureRow[] = [
  dxa("S-7", "2025-03-01", "TC"),
  dxa("S-7", "2025-03-08", "26"),
  dxa("S-8", "2025-03-01", "TC"),
  dxa("S-8", "2025-03-09", "26"),
  dxa("S-GLOBAL", "2025-03-01"),
  dxa("S-TC", "2025-03-01", "TC"),
  dxa("S-26", "2025-03-01", "26"),
  dxa("S-START", "2025-03-01"),
  dxa("S-START", "2025-03-07"),
  dxa("S-START", "2025-03-13"),
  dxa("S-59", "2025-03-01", "59"),
  dxa("S-59SPLIT", "2025-03-01", "TC;59"),
  dxa("S-59SPLIT", "2025-03-04", "59;26"),
  dxa("S-MIXCODE", "2025-03-01", "TC", "77085"),
  dxa("S-MIXCODE", "2025-03-02", "26", "77080"),
  dxa("S-OTHER", "2025-03-01", "", "77081"),
  dxa("S-OTHER", "2025-03-01", "", "77086"),
  dxa("S-OTHER", "2025-03-01", "", "77078"),
  dxa("S-OTHER", "2025-03-01", "", "76977"),
  dxa("S-OTHER", "2025-03-01", "", "G0130"),
  dxa("S-SAMEDAY", "2025-03-01", "", "77080", "SD-A"),
  dxa("S-SAMEDAY", "2025-03-01", "TC", "77080", "SD-B"),
  // Written out of date order: the rule follows service dates, not file order.
  dxa("S-UNORDERED", "2025-03-12"),
  dxa("S-UNORDERED", "2025-03-10", "26"),
  dxa("S-UNORDERED", "2025-03-03", "TC"),
  claimLine({ claim_id: "CLOCK", member_id: "S-CLOCK", plan_id: PLAN, service_date: "2025-12-01", procedure_code: "99213", received_date: AS_OF }),
];

type Study = {
  study_date: string;
  has_global: boolean;
  has_tc: boolean;
  has_professional: boolean;
  billing_complete: boolean;
  line_count: number;
};

const study = (study_date: string, line_count: number, parts: { global?: boolean; tc?: boolean; pro?: boolean }): Study => ({
  study_date,
  has_global: parts.global ?? false,
  has_tc: parts.tc ?? false,
  has_professional: parts.pro ?? false,
  billing_complete: (parts.global ?? false) || ((parts.tc ?? false) && (parts.pro ?? false)),
  line_count,
});

describe.each(ENGINES)("D2 DXA studies on %s", (engine) => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await freshDatabase(engine);
    await importFixture(db, {
      "plans.csv": [{ plan_id: PLAN, payer: "Aetna", plan_name: "Aetna PPO", product_line: "commercial" }],
      "members.csv": [...new Set(CLAIMS.map((c) => String(c.member_id)))].map((member_id) => ({ member_id, birth_date: "1950-01-01", sex: "F" })),
      "claim_lines.csv": CLAIMS,
    });
  });
  afterAll(() => db?.dispose());

  const studiesOf = (member: string) =>
    db.query<Study>(
      `SELECT study_date, has_global, has_tc, has_professional, billing_complete, line_count
       FROM dxa_studies WHERE as_of = $1::date AND member_id = $2 ORDER BY study_date`,
      [AS_OF, member],
    );

  it("TC and 26 lines 7 days apart are one billing-complete study", async () => {
    // 03-08 is exactly 7 days after the start 03-01: not "more than 7", so it joins.
    expect(await studiesOf("S-7")).toEqual([study("2025-03-01", 2, { tc: true, pro: true })]);
  });

  it("TC and 26 lines 8 days apart are two studies, neither billing-complete", async () => {
    // 03-09 is 8 days after 03-01: a new study; each holds one component only.
    expect(await studiesOf("S-8")).toEqual([study("2025-03-01", 1, { tc: true }), study("2025-03-09", 1, { pro: true })]);
  });

  it("a global line alone is billing-complete", async () => {
    expect(await studiesOf("S-GLOBAL")).toEqual([study("2025-03-01", 1, { global: true })]);
  });

  it("a TC line alone, or a 26 line alone, is not billing-complete", async () => {
    expect(await studiesOf("S-TC")).toEqual([study("2025-03-01", 1, { tc: true })]);
    expect(await studiesOf("S-26")).toEqual([study("2025-03-01", 1, { pro: true })]);
  });

  it("clusters relative to the study start, not the previous line (days 0, 6, 12 → two studies)", async () => {
    // Day 6 joins the study of day 0; day 12 is 12 > 7 days after that start, so it starts a
    // new study even though it is only 6 days after the previous line.
    expect(await studiesOf("S-START")).toEqual([study("2025-03-01", 2, { global: true }), study("2025-03-13", 1, { global: true })]);
  });

  it("modifiers other than TC and 26 do not matter", async () => {
    // "59" alone is neither TC nor 26: a global bill.
    expect(await studiesOf("S-59")).toEqual([study("2025-03-01", 1, { global: true })]);
    // "TC;59" + "59;26" 3 days apart: a TC and a 26, one complete split bill, no global.
    expect(await studiesOf("S-59SPLIT")).toEqual([study("2025-03-01", 2, { tc: true, pro: true })]);
  });

  it("77080 and 77085 are both central DXA and cluster together", async () => {
    expect(await studiesOf("S-MIXCODE")).toEqual([study("2025-03-01", 2, { tc: true, pro: true })]);
  });

  it("other bone density codes never make a study", async () => {
    expect(await studiesOf("S-OTHER")).toEqual([]);
  });

  it("two lines on the same day (two claims) are one study, not two", async () => {
    expect(await studiesOf("S-SAMEDAY")).toEqual([study("2025-03-01", 2, { global: true, tc: true })]);
  });

  it("follows service-date order whatever the file order", async () => {
    // Sorted: TC 03-03 (start), 26 03-10 (7 days: joins), global 03-12 (9 days: new study).
    expect(await studiesOf("S-UNORDERED")).toEqual([
      study("2025-03-03", 2, { tc: true, pro: true }),
      study("2025-03-12", 1, { global: true }),
    ]);
  });

  it("no other member has a study (the CLOCK line is no DXA)", async () => {
    const members = await db.query<{ member_id: string }>(
      `SELECT DISTINCT member_id FROM dxa_studies WHERE as_of = $1::date ORDER BY member_id`,
      [AS_OF],
    );
    expect(members.map((m) => m.member_id).sort()).toEqual(
      ["S-26", "S-59", "S-59SPLIT", "S-7", "S-8", "S-GLOBAL", "S-MIXCODE", "S-SAMEDAY", "S-START", "S-TC", "S-UNORDERED"].sort(),
    );
  });
});
