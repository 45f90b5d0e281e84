import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { countMeasureByPayer } from "../support/measure-counts";
import { ENGINES, freshDatabase, type TestDatabase } from "../support/databases";
import { claimLine, importFixture, type FixtureRow } from "../support/fixture-folder";

// SPEC D6 (fracture episodes): a line qualifies when a diagnosis code, upper-cased without
// dots, starts with S720/S721/S722/S220/S320/S525/S526 and has 7 characters ending in A, B or C,
// or starts with M80; and the member is 50 or older on the service date. Episodes cluster at
// 180 days from their start. Follow-up: a non-cancelled order or a study in [episode, +180].

const PLAN = "P-AET";
const AS_OF = "2025-12-31";
const BORN_1950 = "1950-01-01";

let claimSeq = 0;
const visit = (member_id: string, service_date: string, diagnosis_codes: string): FixtureRow =>
  claimLine({
    claim_id: `FX${String(++claimSeq).padStart(3, "0")}`,
    member_id,
    plan_id: PLAN,
    service_date,
    procedure_code: "99283",
    diagnosis_codes,
    received_date: "2025-11-01",
  });
const dxaStudy = (member_id: string, service_date: string) =>
  claimLine({ claim_id: `FX${String(++claimSeq).padStart(3, "0")}`, member_id, plan_id: PLAN, service_date, procedure_code: "77080", received_date: "2025-11-01" });
const orderLine = (member_id: string, service_date: string) =>
  claimLine({ claim_id: `FX${String(++claimSeq).padStart(3, "0")}`, member_id, plan_id: PLAN, service_date, procedure_code: "3096F", received_date: "2025-11-01" });

// Code cases: one member each, one visit on 2025-02-01.
const CODE_CASES: { member: string; codes: string; qualifies: boolean; why: string }[] = [
  { member: "C-DOT", codes: "S72.001A", qualifies: true, why: "hip, initial encounter, written with a dot" },
  { member: "C-NODOT", codes: "S72001A", qualifies: true, why: "the same code without the dot" },
  { member: "C-LOWER", codes: "s72.001a", qualifies: true, why: "lower case is upper-cased first" },
  { member: "C-SECOND", codes: "Z00.00;S72.001A", qualifies: true, why: "any of the line's codes may qualify" },
  { member: "C-S721", codes: "S72.141B", qualifies: true, why: "S721, 7th character B" },
  { member: "C-S722", codes: "S72.21XC", qualifies: true, why: "S722, 7th character C" },
  { member: "C-S220", codes: "S22.000A", qualifies: true, why: "S220 (thoracic vertebra)" },
  { member: "C-S320", codes: "S32.000A", qualifies: true, why: "S320 (lumbar vertebra)" },
  { member: "C-S525", codes: "S52.501B", qualifies: true, why: "S525 (distal radius), 7th character B" },
  { member: "C-S526", codes: "S52.601A", qualifies: true, why: "S526 (distal ulna)" },
  { member: "C-M80A", codes: "M80.08XA", qualifies: true, why: "M80 qualifies" },
  { member: "C-M80D", codes: "M80.0AXD", qualifies: true, why: "M80 qualifies whatever its 7th character" },
  { member: "C-M80SHORT", codes: "M80.0", qualifies: true, why: "any code starting with M80" },
  { member: "C-SUBSEQ", codes: "S72001D", qualifies: false, why: "7th character D: a subsequent encounter" },
  { member: "C-SEQUELA", codes: "S52.501S", qualifies: false, why: "7th character S: a sequela" },
  { member: "C-SHORT", codes: "S5250", qualifies: false, why: "a qualifying prefix but only 5 characters" },
  { member: "C-SHORT-A", codes: "S72.00A", qualifies: false, why: "ends in A but has 6 characters, not 7" },
  { member: "C-SHAFT", codes: "S72.301A", qualifies: false, why: "S723 (femoral shaft) is not a listed prefix" },
  { member: "C-CLAVICLE", codes: "S42.001A", qualifies: false, why: "not a listed prefix" },
  { member: "C-M81", codes: "M81.0", qualifies: false, why: "osteoporosis without fracture" },
];

// Follow-up cases: episodes on 2025-01-02 (+180 = 2025-07-01, +181 = 2025-07-02).
const FU_DATE = "2025-01-02";
const FOLLOW_UP_CASES: { member: string; lines: FixtureRow[]; orders: FixtureRow[]; followUp: string | null; why: string }[] = [
  { member: "FU-ORDER180", lines: [], orders: [{ order_date: "2025-07-01" }], followUp: "2025-07-01", why: "an order at +180" },
  { member: "FU-ORDER181", lines: [], orders: [{ order_date: "2025-07-02" }], followUp: null, why: "an order at +181 is too late" },
  { member: "FU-STUDY180", lines: [dxaStudy("FU-STUDY180", "2025-07-01")], orders: [], followUp: "2025-07-01", why: "a study at +180" },
  { member: "FU-STUDY181", lines: [dxaStudy("FU-STUDY181", "2025-07-02")], orders: [], followUp: null, why: "a study at +181 is too late" },
  { member: "FU-CANCELLED", lines: [], orders: [{ order_date: "2025-02-01", status: "cancelled" }], followUp: null, why: "a cancelled order is no follow-up" },
  {
    member: "FU-BEFORE",
    lines: [dxaStudy("FU-BEFORE", "2025-01-01")],
    orders: [{ order_date: "2024-12-20" }],
    followUp: null,
    why: "an order and a study before the episode do not follow it",
  },
  { member: "FU-SAMEDAY", lines: [], orders: [{ order_date: FU_DATE }], followUp: FU_DATE, why: "an order on the episode date" },
  { member: "FU-CLAIMORDER", lines: [orderLine("FU-CLAIMORDER", "2025-03-01")], orders: [], followUp: "2025-03-01", why: "a claim-sourced order" },
  {
    member: "FU-FIRST",
    lines: [dxaStudy("FU-FIRST", "2025-03-01")],
    orders: [{ order_date: "2025-02-01" }],
    followUp: "2025-02-01",
    why: "the first of an order and a study",
  },
];

const CLAIMS: FixtureRow[] = [
  ...CODE_CASES.map((c) => visit(c.member, "2025-02-01", c.codes)),
  // Age: 49 on the service date does not qualify, 50 (the birthday itself) does.
  visit("AGE-49", "2025-06-01", "S72.001A"),
  visit("AGE-50", "2025-06-01", "S72.001A"),
  // Turns 50 on 2025-03-01: the 02-01 line (aged 49) is ignored, the episode starts 03-01.
  visit("AGE-TURNS50", "2025-02-01", "S72.001A"),
  visit("AGE-TURNS50", "2025-03-01", "S72.001A"),
  // 180-day rule.
  visit("EP-180", "2025-01-01", "S72.001A"),
  visit("EP-180", "2025-06-30", "S72.001A"), // 2025-01-01 + 180
  visit("EP-181", "2025-01-01", "S72.001A"),
  visit("EP-181", "2025-07-01", "S72.001A"), // 2025-01-01 + 181
  visit("EP-START", "2025-01-01", "S72.001A"),
  visit("EP-START", "2025-05-01", "S72.001A"), // +120: joins
  visit("EP-START", "2025-08-29", "S72.001A"), // +240 from the start (+120 from the previous line): new episode
  ...FOLLOW_UP_CASES.flatMap((c) => [visit(c.member, FU_DATE, "S72.001A"), ...c.lines]),
  // Maturity for post_fracture: 07-04 + 180 = 12-31 = as-of (mature); 07-05 + 180 > as-of.
  visit("MAT-MATURE", "2025-07-04", "S72.001A"),
  visit("MAT-PENDING", "2025-07-05", "S72.001A"),
  claimLine({ claim_id: "CLOCK", member_id: "CLOCK", plan_id: PLAN, service_date: "2025-12-01", procedure_code: "99213", received_date: AS_OF }),
];

const BIRTH_DATES: Record<string, string> = {
  "AGE-49": "1975-06-02",
  "AGE-50": "1975-06-01",
  "AGE-TURNS50": "1975-03-01",
};

type Episode = { episode_date: string; line_count: number; follow_up_date: string | null; follow_up_days: number | null };

describe.each(ENGINES)("D6 fracture episodes on %s", (engine) => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await freshDatabase(engine);
    const members = [...new Set(CLAIMS.map((r) => String(r.member_id)))];
    await importFixture(db, {
      "plans.csv": [{ plan_id: PLAN, payer: "Aetna", plan_name: "Aetna PPO", product_line: "commercial" }],
      "members.csv": members.map((member_id) => ({ member_id, birth_date: BIRTH_DATES[member_id] ?? BORN_1950, sex: "F" })),
      "coverage.csv": members.map((member_id) => ({ member_id, plan_id: PLAN, start_date: "2020-01-01" })),
      "orders.csv": FOLLOW_UP_CASES.flatMap((c) =>
        c.orders.map((o, i) => ({ order_id: `E-${c.member}-${i}`, member_id: c.member, status: "active", ...o })),
      ),
      "claim_lines.csv": CLAIMS,
    });
  });
  afterAll(() => db?.dispose());

  const episodesOf = (member: string) =>
    db.query<Episode>(
      `SELECT episode_date, line_count, follow_up_date, follow_up_days::int AS follow_up_days FROM fracture_episodes
       WHERE as_of = $1::date AND member_id = $2 ORDER BY episode_date`,
      [AS_OF, member],
    );

  it.each(CODE_CASES)("$codes qualifies: $qualifies ($why)", async ({ member, qualifies }) => {
    const episodes = await episodesOf(member);
    expect(episodes.map((e) => e.episode_date)).toEqual(qualifies ? ["2025-02-01"] : []);
  });

  it("a member aged 49 on the service date does not qualify; aged 50 does", async () => {
    expect(await episodesOf("AGE-49")).toEqual([]);
    expect((await episodesOf("AGE-50")).map((e) => e.episode_date)).toEqual(["2025-06-01"]);
  });

  it("a line before the 50th birthday does not start the episode", async () => {
    expect((await episodesOf("AGE-TURNS50")).map((e) => [e.episode_date, e.line_count])).toEqual([["2025-03-01", 1]]);
  });

  it("qualifying lines on day 0 and day 180 are one episode", async () => {
    expect((await episodesOf("EP-180")).map((e) => [e.episode_date, e.line_count])).toEqual([["2025-01-01", 2]]);
  });

  it("qualifying lines on day 0 and day 181 are two episodes", async () => {
    expect((await episodesOf("EP-181")).map((e) => [e.episode_date, e.line_count])).toEqual([
      ["2025-01-01", 1],
      ["2025-07-01", 1],
    ]);
  });

  it("episodes cluster from their start, not from the previous line (days 0, 120, 240 → two)", async () => {
    expect((await episodesOf("EP-START")).map((e) => [e.episode_date, e.line_count])).toEqual([
      ["2025-01-01", 2],
      ["2025-08-29", 1],
    ]);
  });

  it.each(FOLLOW_UP_CASES)("follow-up of $member: $why", async ({ member, followUp }) => {
    const episodes = await episodesOf(member);
    expect(episodes).toHaveLength(1);
    expect(episodes[0]).toMatchObject({ episode_date: FU_DATE, follow_up_date: followUp });
    if (followUp === "2025-07-01") expect(episodes[0]!.follow_up_days).toBe(180);
  });

  it("post_fracture counts follow-ups of mature episodes and leaves immature ones pending", async () => {
    const total = async (from: string, to: string) => {
      const rows = await countMeasureByPayer(db, "post_fracture", { asOf: AS_OF, from, to, window: 90 });
      return rows.reduce((t, r) => ({ d: t.d + r.denominator, n: t.n + r.numerator, p: t.p + r.pending }), { d: 0, n: 0, p: 0 });
    };
    // The nine follow-up cases: five with a follow-up (ORDER180, STUDY180, SAMEDAY, CLAIMORDER, FIRST).
    expect(await total(FU_DATE, FU_DATE)).toEqual({ d: 9, n: 5, p: 0 });
    expect(await total("2025-07-04", "2025-07-04")).toEqual({ d: 1, n: 0, p: 0 });
    expect(await total("2025-07-05", "2025-07-05")).toEqual({ d: 0, n: 0, p: 1 });
  });
});
