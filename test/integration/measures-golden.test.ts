import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addDays } from "@/lib/dates";
import {
  computeMeasure,
  CLAIMS_MEASURE_KEYS,
  resolveSnapshot,
  type FollowUpWindow,
  type GroupBy,
  type MeasureFlag,
  type ClaimsMeasureKey,
  type MeasureQuery,
  type MeasureResult,
  type MeasureRow,
} from "@/lib/measures";
import { ENGINES, freshDatabase, type TestDatabase } from "../support/databases";
import { claimLine, importFixture, type FixtureRow } from "../support/fixture-folder";
import { compute as computeAs, QUALITY_OFFICER } from "../support/viewers";

// A golden fixture worked out by hand: every measure of SPEC section 5, by payer (and by plan,
// product line and month), for the period 2025 with window W = 90, at the data's as-of date
// 2025-12-31 and at an earlier as-of date 2025-09-30. Each member is one story; the expected
// tables below say, per number, which stories make it up.
//
// Dates that decide the cases (as-of A = 2025-12-31, earlier as-of E = 2025-09-30):
//   order mature for W = 90 at A  ⇔ order date ≤ 2025-10-02 (10-02 + 90 = 12-31)
//   order mature for W = 90 at E  ⇔ order date ≤ 2025-07-02 (07-02 + 90 = 09-30)
//   order_capture mature at A     ⇔ order date ≤ 2025-12-17 (+ 14); at E ⇔ ≤ 2025-09-16
//   episode mature at A           ⇔ episode date ≤ 2025-07-04 (07-04 + 180 = 12-31); at E ⇔ ≤ 2025-04-03
//   screening (period end 2025-12-31): women aged 65–85 on 2025-12-31, covered then, without a
//   study in [2025-01-01 − 730, 2025-01-01 − 1] = [2023-01-02, 2024-12-31].

const A = "2025-12-31";
const E = "2025-09-30";
const FROM = "2025-01-01";
const TO = "2025-12-31";
const W: FollowUpWindow = 90;

const PLANS: FixtureRow[] = [
  { plan_id: "AET-PPO", payer: "Aetna", plan_name: "Aetna Choice PPO", product_line: "commercial" },
  { plan_id: "AET-MA", payer: "Aetna", plan_name: "Aetna Medicare Advantage", product_line: "medicare_advantage" },
  { plan_id: "BCBS-PPO", payer: "BCBS", plan_name: "Blue Cross PPO", product_line: "commercial" },
  { plan_id: "MCR-B", payer: "Medicare", plan_name: "Medicare Part B", product_line: "medicare_ffs" },
  // Not one of the five: a payer of its own, key "humana", listed after them.
  { plan_id: "HUM-MA", payer: "Humana", plan_name: "Humana Gold Plus", product_line: "medicare_advantage" },
];

type Story = { sex: "F" | "M"; born: string; coverage: [plan: string, start: string, end?: string][] };
const AGE_55 = "1970-06-01"; // 55 on 2025-12-31: never screening-eligible, old enough for D6
const AGE_75 = "1950-06-01";
const aetna = (born = AGE_55, sex: "F" | "M" = "F"): Story => ({ sex, born, coverage: [["AET-PPO", "2020-01-01"]] });
const medicare = (born = AGE_75, sex: "F" | "M" = "M"): Story => ({ sex, born, coverage: [["MCR-B", "2020-01-01"]] });

const MEMBERS: Record<string, Story> = {
  // order_follow_up, result_documented, order_capture
  OW: aetna(), // order 03-03, study on day W = 90 (06-01): completed; 3095F 06-10: documented; 3096F: captured
  OW1: aetna(), // order 03-04, study on day W + 1 (06-03): not completed
  OIMM: aetna(), // order 11-01, study 11-20: completed but not mature → pending; 3096F: captured
  OEDGE: aetna(), // order 10-02: mature on the last day (10-02 + 90 = A), no study
  OLATE: aetna(), // order 10-03: one day short of mature → pending
  OCAN: aetna(), // cancelled order 04-01 followed by a study: nowhere
  OSWITCH: { sex: "F", born: AGE_55, coverage: [["AET-PPO", "2020-01-01", "2025-05-31"], ["BCBS-PPO", "2025-06-01"]] },
  ONOCOV: { sex: "F", born: AGE_55, coverage: [] }, // EHR order, no coverage: Unknown payer whatever her claims say
  OHUM: { sex: "F", born: "1955-06-01", coverage: [["HUM-MA", "2020-01-01"]] }, // 70: also screening-eligible
  OCLAIM: medicare(), // a 3096F line with no EHR order: a claim-sourced order, completed and documented
  R8P: aetna(), // completed; 3095F with 8P: not documented
  R31: aetna(), // completed; 3095F on study + 31: not documented
  R30: aetna(), // completed; 3095F on study + 30: documented; 3096F: captured
  OLATECLAIM: aetna(), // order 06-02, study 06-20 whose claim arrives 10-15 (after E); captured
  OCAPPEND: { sex: "F", born: AGE_55, coverage: [["AET-MA", "2020-01-01"]] }, // order 12-20: pending for every order measure
  // screening_ordering
  S64: aetna("1961-01-01"), // 64 on 2025-12-31 (65 the day after): not eligible
  S65: aetna("1960-12-31"), // 65 on 2025-12-31: eligible; order 09-01: numerator
  S85: { sex: "F", born: "1940-01-01", coverage: [["AET-MA", "2020-01-01"]] }, // 85: eligible; only a cancelled order
  S86: { sex: "F", born: "1939-12-31", coverage: [["AET-MA", "2020-01-01"]] }, // 86 on 12-31: not eligible; order 04-15 completed
  S730: medicare(AGE_75, "F"), // study 2023-01-02 = period start − 730: not eligible
  S731: medicare(AGE_75, "F"), // study 2023-01-01 = period start − 731: eligible; claim order 10-10: numerator
  SMALE: medicare(AGE_75, "M"), // a man: not eligible
  SENDED: { sex: "F", born: AGE_75, coverage: [["MCR-B", "2020-01-01", "2025-12-30"]] }, // not covered on 12-31
  // post_fracture (men, so that they stay out of screening)
  F180: medicare(), // episode 07-04 = A − 180: mature; study 08-01: followed up
  F181: medicare(), // episode 07-03 = A − 181: mature; no follow-up
  F179: medicare(), // episode 07-05 = A − 179: pending (followed up by an order 07-20, still pending)
  FNOCOV: { sex: "M", born: AGE_75, coverage: [] }, // episode 02-01 billed to HUM-MA, no coverage: Humana by the billed plan
};

const order = (order_id: string, member_id: string, order_date: string, status = "active"): FixtureRow => ({
  order_id,
  member_id,
  order_date,
  status,
});
const ORDERS: FixtureRow[] = [
  order("E-OW", "OW", "2025-03-03"),
  order("E-OW1", "OW1", "2025-03-04"),
  order("E-OIMM", "OIMM", "2025-11-01"),
  order("E-OEDGE", "OEDGE", "2025-10-02"),
  order("E-OLATE", "OLATE", "2025-10-03"),
  order("E-OCAN", "OCAN", "2025-04-01", "cancelled"),
  order("E-OSW1", "OSWITCH", "2025-02-01"), // under AET-PPO (coverage on 02-01)
  order("E-OSW2", "OSWITCH", "2025-06-15"), // under BCBS-PPO (coverage on 06-15, after the switch)
  order("E-ONOCOV", "ONOCOV", "2025-05-01"),
  order("E-OHUM", "OHUM", "2025-07-01"),
  order("E-R8P", "R8P", "2025-02-10"),
  order("E-R31", "R31", "2025-02-11"),
  order("E-R30", "R30", "2025-02-12"),
  order("E-OLATECLAIM", "OLATECLAIM", "2025-06-02"),
  order("E-OCAPPEND", "OCAPPEND", "2025-12-20"),
  order("E-S65", "S65", "2025-09-01"),
  order("E-S85", "S85", "2025-03-15", "cancelled"),
  order("E-S86", "S86", "2025-04-15"),
  order("E-F179", "F179", "2025-07-20"),
];

/** The plan a member's claims are billed to: her plan on the service date, or the one given. */
function billedPlan(member: string, date: string, plan?: string): string {
  if (plan) return plan;
  const span = MEMBERS[member]!.coverage.find(([, start, end]) => start <= date && (!end || date <= end));
  if (!span) throw new Error(`fixture: ${member} has no plan on ${date}`);
  return span[0];
}

let claimSeq = 0;
/** One claim line, received 10 days after service unless said otherwise. */
function line(member: string, date: string, code: string, extra: { modifiers?: string; dx?: string; received?: string; plan?: string } = {}): FixtureRow {
  return claimLine({
    claim_id: `G${String(++claimSeq).padStart(3, "0")}`,
    member_id: member,
    plan_id: billedPlan(member, date, extra.plan),
    service_date: date,
    procedure_code: code,
    modifiers: extra.modifiers ?? "",
    diagnosis_codes: extra.dx ?? "",
    received_date: extra.received ?? addDays(date, 10),
  });
}
const fracture = (member: string, date: string, plan?: string) => line(member, date, "99223", { dx: "S72.001A", plan });

const CLAIMS: FixtureRow[] = [
  line("OW", "2025-03-03", "3096F"),
  line("OW", "2025-06-01", "77080"), // 03-03 + 90
  line("OW", "2025-06-10", "3095F"),
  line("OW", "2025-12-20", "99213", { received: A }), // the latest receipt: the data's as-of date
  line("OW1", "2025-06-03", "77080"), // 03-04 + 91
  line("OIMM", "2025-11-01", "3096F"),
  line("OIMM", "2025-11-20", "77080"),
  line("OCAN", "2025-04-10", "77080"),
  line("OSWITCH", "2025-06-15", "3096F"),
  line("OSWITCH", "2025-06-20", "77080"), // 139 days after E-OSW1, 5 after E-OSW2
  line("ONOCOV", "2025-05-01", "3096F", { plan: "MCR-B" }),
  line("ONOCOV", "2025-05-20", "77080", { plan: "MCR-B" }),
  line("OCLAIM", "2025-08-01", "3096F"),
  line("OCLAIM", "2025-08-15", "77080"),
  line("OCLAIM", "2025-08-20", "3095F"),
  line("R8P", "2025-02-20", "77080"),
  line("R8P", "2025-02-25", "3095F", { modifiers: "8P" }),
  line("R31", "2025-02-21", "77080"),
  line("R31", "2025-03-24", "3095F"), // 02-21 + 31
  line("R30", "2025-02-12", "3096F"),
  line("R30", "2025-02-22", "77080"),
  line("R30", "2025-03-24", "3095F"), // 02-22 + 30
  line("OLATECLAIM", "2025-06-02", "3096F"),
  line("OLATECLAIM", "2025-06-20", "77080", { received: "2025-10-15" }),
  line("S730", "2023-01-02", "77080"),
  line("S731", "2023-01-01", "77080"),
  line("S731", "2025-10-10", "3096F"),
  line("S86", "2025-04-20", "77080"),
  fracture("F180", "2025-07-04"),
  line("F180", "2025-08-01", "77080"),
  fracture("F181", "2025-07-03"),
  fracture("F179", "2025-07-05"),
  fracture("FNOCOV", "2025-02-01", "HUM-MA"),
];

// ---------------------------------------------------------------------------------------------
// Expected rows

type Counts = [denominator: number, numerator: number, pending: number];
type Shape = {
  payerKey: string | null;
  planId: string | null;
  productLine: string | null;
  month: string | null;
  unattributed: boolean;
  denominator: number;
  numerator: number;
  pending: number;
  rate: number | null;
  flags: MeasureFlag[];
};

const PAYER_NAMES: Record<string, string> = {
  aetna: "Aetna",
  bcbs: "Blue Cross Blue Shield",
  cigna: "Cigna Health",
  uhc: "UnitedHealthcare",
  medicare: "Medicare",
  humana: "Humana",
  unknown: "Unknown payer",
};
const PLAN_PAYER: Record<string, string> = { "AET-PPO": "aetna", "AET-MA": "aetna", "BCBS-PPO": "bcbs", "MCR-B": "medicare", "HUM-MA": "humana" };

/** SPEC section 5: rate x/n, null ("not available") at n = 0; low volume when 0 < n < 20. */
function shape(group: Partial<Shape>, [denominator, numerator, pending]: Counts, extraFlags: MeasureFlag[] = []): Shape {
  const flags: MeasureFlag[] = denominator === 0 ? ["not_available"] : denominator < 20 ? ["low_volume"] : [];
  return {
    payerKey: null,
    planId: null,
    productLine: null,
    month: null,
    unattributed: false,
    ...group,
    denominator,
    numerator,
    pending,
    rate: denominator === 0 ? null : numerator / denominator,
    flags: [...flags, ...extraFlags],
  };
}
/** The payer rows the golden tables pin: the five listed payers, and any other payer (Humana,
 *  Unknown payer) where it has units. Whether a non-listed payer without units is listed too is
 *  the test "a payer of the data …" below. */
const LISTED = ["aetna", "bcbs", "cigna", "uhc", "medicare"];
const withUnits = (rows: MeasureRow[]) =>
  rows.filter((r) => LISTED.includes(r.payerKey!) || r.denominator + r.numerator + r.pending > 0);
const project = (r: MeasureRow): Shape => ({
  payerKey: r.payerKey,
  planId: r.planId,
  productLine: r.productLine,
  month: r.month,
  unattributed: r.unattributed,
  denominator: r.denominator,
  numerator: r.numerator,
  pending: r.pending,
  rate: r.rate,
  flags: r.flags,
});

const byPayer = (rows: Record<string, Counts>) =>
  Object.entries(rows).map(([payerKey, c]) => shape({ payerKey, unattributed: payerKey === "unknown" }, c));
const byPlan = (rows: Record<string, Counts>) =>
  Object.entries(rows).map(([planId, c]) =>
    planId === "unknown" ? shape({ payerKey: "unknown", unattributed: true }, c) : shape({ payerKey: PLAN_PAYER[planId]!, planId }, c),
  );
const byLine = (rows: Record<string, Counts>) =>
  Object.entries(rows).map(([line, c]) => (line === "unattributed" ? shape({ unattributed: true }, c) : shape({ productLine: line }, c)));
const MONTHS = ["01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "11", "12"].map((m) => `2025-${m}`);
/** Months not named are zero; `provisional` lists the months flagged so. */
const byMonth = (rows: Record<string, Counts>, provisional: string[]) =>
  MONTHS.map((month) => shape({ month }, rows[month] ?? [0, 0, 0], provisional.includes(month) ? ["provisional"] : []));

// At A: every measure by payer. Rows: the five listed payers always (in SPEC order, zeros where
// empty), then Humana and Unknown payer where they have units.
const PAYER_AT_A: Record<ClaimsMeasureKey, { rows: Record<string, Counts>; total: Counts }> = {
  order_follow_up: {
    rows: {
      // denominator 10 = OW, OW1, OEDGE, OSW1, R8P, R31, R30, OLATECLAIM, S65 (AET-PPO), S86 (AET-MA)
      // numerator 6 = OW (day 90), R8P, R31, R30, OLATECLAIM (day 18), S86 (day 5); not OW1 (day 91),
      //   OSW1 (first study 139 days on), OEDGE, S65 (no study)
      // pending 3 = OIMM (completed, not mature), OLATE (10-03), OCAPPEND (12-20); OCAN and S85 cancelled
      aetna: [10, 6, 3],
      bcbs: [1, 1, 0], // E-OSW2: attributed at its date after the switch; study 5 days on
      cigna: [0, 0, 0], // no plan, no data: listed, not available
      uhc: [0, 0, 0],
      // denominator 2 = OCLAIM (claim order 08-01), E-F179 (07-20, no study); numerator 1 = OCLAIM;
      // pending 1 = S731's claim order 10-10
      medicare: [2, 1, 1],
      humana: [1, 0, 0], // E-OHUM 07-01, no study
      unknown: [1, 1, 0], // E-ONOCOV: no coverage; completed 05-20 (its claims billed Medicare do not matter)
    },
    total: [15, 9, 4],
  },
  result_documented: {
    rows: {
      // denominator = follow-up numerator (OW, R8P, R31, R30, OLATECLAIM, S86); documented: OW (study + 9), R30 (+ 30)
      aetna: [6, 2, 0],
      bcbs: [1, 0, 0], // E-OSW2 completed, no 3095F
      cigna: [0, 0, 0],
      uhc: [0, 0, 0],
      medicare: [1, 1, 0], // OCLAIM: study 08-15, 3095F 08-20
      // humana: no completed order (see "a payer of the data …" for whether its row shows)
      unknown: [1, 0, 0], // E-ONOCOV completed, no 3095F
    },
    total: [9, 3, 0],
  },
  order_capture: {
    rows: {
      // EHR, live, order date + 14 ≤ A: OW, OW1, OIMM, OEDGE, OLATE, OSW1, R8P, R31, R30, OLATECLAIM, S65, S86 = 12
      // captured by a 3096F within 14 days: OW, OIMM, R30, OLATECLAIM = 4; pending: OCAPPEND (12-20 + 14 > A)
      aetna: [12, 4, 1],
      bcbs: [1, 1, 0], // E-OSW2, 3096F the same day
      cigna: [0, 0, 0],
      uhc: [0, 0, 0],
      medicare: [1, 0, 0], // E-F179; the claim orders OCLAIM and S731 are not EHR orders
      humana: [1, 0, 0], // E-OHUM
      unknown: [1, 1, 0], // E-ONOCOV, 3096F the same day
    },
    total: [16, 6, 1],
  },
  screening_ordering: {
    rows: {
      // S65 (order 09-01) and S85 (only a cancelled order); not S64 (64), S86 (86)
      aetna: [2, 1, 0],
      bcbs: [0, 0, 0],
      cigna: [0, 0, 0],
      uhc: [0, 0, 0],
      // S731 (study 731 days before, claim order 10-10); not S730 (study 730 days before),
      // SMALE (a man), SENDED (coverage ended 12-30)
      medicare: [1, 1, 0],
      humana: [1, 1, 0], // OHUM, 70, order 07-01
      // no unknown row: members without coverage on the period end are not eligible
    },
    total: [4, 3, 0],
  },
  post_fracture: {
    rows: {
      aetna: [0, 0, 0],
      bcbs: [0, 0, 0],
      cigna: [0, 0, 0],
      uhc: [0, 0, 0],
      // F180 (07-04 + 180 = A: mature, study 08-01), F181 (07-03: mature, nothing); F179 (07-05: pending)
      medicare: [2, 1, 1],
      humana: [1, 0, 0], // FNOCOV 02-01: no coverage, so the plan billed on its first line (HUM-MA)
    },
    total: [3, 1, 1],
  },
};

// At E = 2025-09-30: claim versions received after E and EHR orders dated after E are ignored
// (OIMM, OEDGE, OLATE, OCAPPEND; the claims of S731's 3096F (received 10-20) and OLATECLAIM's
// study (received 10-15)); maturity is judged against E.
const PAYER_AT_E: Record<ClaimsMeasureKey, { rows: Record<string, Counts>; total: Counts }> = {
  order_follow_up: {
    rows: {
      // mature (≤ 07-02): OW, OW1, OSW1, R8P, R31, R30, OLATECLAIM, S86 = 8; completed: OW, R8P, R31,
      // R30, S86 = 5 (OLATECLAIM's study not yet received: overdue at E); pending: S65 (09-01)
      aetna: [8, 5, 1],
      bcbs: [1, 1, 0], // E-OSW2 06-15 + 90 = 09-13 ≤ E, study received 06-30
      cigna: [0, 0, 0],
      uhc: [0, 0, 0],
      medicare: [0, 0, 2], // OCLAIM 08-01 and E-F179 07-20 not mature: den 0, not available
      humana: [1, 0, 0], // E-OHUM 07-01 + 90 = 09-29 ≤ E
      unknown: [1, 1, 0],
    },
    total: [11, 7, 3],
  },
  result_documented: {
    rows: {
      aetna: [5, 2, 0], // OW (3095F received 06-20), R30 (received 04-03)
      bcbs: [1, 0, 0],
      cigna: [0, 0, 0],
      uhc: [0, 0, 0],
      medicare: [0, 0, 0], // OCLAIM not mature at E
      unknown: [1, 0, 0],
    },
    total: [7, 2, 0],
  },
  order_capture: {
    rows: {
      // + 14 ≤ E (order ≤ 09-16): OW, OW1, OSW1, R8P, R31, R30, OLATECLAIM, S65, S86 = 9;
      // captured: OW, R30, OLATECLAIM (its 3096F received 06-12) = 3
      aetna: [9, 3, 0],
      bcbs: [1, 1, 0],
      cigna: [0, 0, 0],
      uhc: [0, 0, 0],
      medicare: [1, 0, 0], // E-F179 07-20
      humana: [1, 0, 0],
      unknown: [1, 1, 0],
    },
    total: [13, 5, 0],
  },
  screening_ordering: {
    rows: {
      aetna: [2, 1, 0], // S65's order 09-01 is dated before E
      bcbs: [0, 0, 0],
      cigna: [0, 0, 0],
      uhc: [0, 0, 0],
      medicare: [1, 0, 0], // S731: her 3096F claim was received 10-20, after E
      humana: [1, 1, 0],
    },
    total: [4, 2, 0],
  },
  post_fracture: {
    rows: {
      aetna: [0, 0, 0],
      bcbs: [0, 0, 0],
      cigna: [0, 0, 0],
      uhc: [0, 0, 0],
      medicare: [0, 0, 3], // F181, F180, F179: + 180 > E
      humana: [1, 0, 0], // FNOCOV 02-01 + 180 = 07-31 ≤ E
    },
    total: [1, 0, 3],
  },
};

// At A, by plan (plans in display order: payer, then plan name; Unknown payer last when it has
// units). Plan rows of a payer add up to its payer row.
const PLAN_AT_A: Record<ClaimsMeasureKey, Record<string, Counts>> = {
  order_follow_up: {
    "AET-PPO": [9, 5, 2], // the Aetna row less S86 (den, num) and OCAPPEND (pending)
    "AET-MA": [1, 1, 1], // S86; OCAPPEND pending
    "BCBS-PPO": [1, 1, 0],
    "MCR-B": [2, 1, 1],
    "HUM-MA": [1, 0, 0],
    unknown: [1, 1, 0],
  },
  result_documented: {
    "AET-PPO": [5, 2, 0], // OW, R8P, R31, R30, OLATECLAIM; documented OW, R30
    "AET-MA": [1, 0, 0], // S86
    "BCBS-PPO": [1, 0, 0],
    "MCR-B": [1, 1, 0],
    "HUM-MA": [0, 0, 0], // a plan in scope is always listed
    unknown: [1, 0, 0],
  },
  order_capture: {
    "AET-PPO": [11, 4, 0],
    "AET-MA": [1, 0, 1], // S86; OCAPPEND pending
    "BCBS-PPO": [1, 1, 0],
    "MCR-B": [1, 0, 0],
    "HUM-MA": [1, 0, 0],
    unknown: [1, 1, 0],
  },
  screening_ordering: {
    "AET-PPO": [1, 1, 0], // S65
    "AET-MA": [1, 0, 0], // S85
    "BCBS-PPO": [0, 0, 0],
    "MCR-B": [1, 1, 0], // S731
    "HUM-MA": [1, 1, 0], // OHUM
  },
  post_fracture: {
    "AET-PPO": [0, 0, 0],
    "AET-MA": [0, 0, 0],
    "BCBS-PPO": [0, 0, 0],
    "MCR-B": [2, 1, 1],
    "HUM-MA": [1, 0, 0], // by the billed plan
  },
};

// At A, by product line (all five always; an unattributed row where units have no plan).
const LINE_AT_A: Record<ClaimsMeasureKey, Record<string, Counts>> = {
  order_follow_up: {
    commercial: [10, 6, 2], // AET-PPO [9, 5, 2] + BCBS-PPO [1, 1, 0]
    medicare_advantage: [2, 1, 1], // AET-MA [1, 1, 1] + HUM-MA [1, 0, 0]
    medicare_ffs: [2, 1, 1],
    medicaid: [0, 0, 0],
    other: [0, 0, 0],
    unattributed: [1, 1, 0], // E-ONOCOV
  },
  result_documented: {
    commercial: [6, 2, 0],
    medicare_advantage: [1, 0, 0],
    medicare_ffs: [1, 1, 0],
    medicaid: [0, 0, 0],
    other: [0, 0, 0],
    unattributed: [1, 0, 0],
  },
  order_capture: {
    commercial: [12, 5, 0], // AET-PPO [11, 4, 0] + BCBS-PPO [1, 1, 0]
    medicare_advantage: [2, 0, 1], // AET-MA [1, 0, 1] + HUM-MA [1, 0, 0]
    medicare_ffs: [1, 0, 0],
    medicaid: [0, 0, 0],
    other: [0, 0, 0],
    unattributed: [1, 1, 0],
  },
  screening_ordering: {
    commercial: [1, 1, 0],
    medicare_advantage: [2, 1, 0], // S85, OHUM
    medicare_ffs: [1, 1, 0],
    medicaid: [0, 0, 0],
    other: [0, 0, 0],
  },
  post_fracture: {
    commercial: [0, 0, 0],
    medicare_advantage: [1, 0, 0],
    medicare_ffs: [2, 1, 1],
    medicaid: [0, 0, 0],
    other: [0, 0, 0],
  },
};

// At A, by month of the anchor date (months not listed: zero, not available).
const MONTH_AT_A: Record<ClaimsMeasureKey, Record<string, Counts>> = {
  order_follow_up: {
    "2025-02": [4, 3, 0], // OSW1 (not completed), R8P, R31, R30
    "2025-03": [2, 1, 0], // OW (day 90), OW1 (day 91)
    "2025-04": [1, 1, 0], // S86 (OCAN cancelled)
    "2025-05": [1, 1, 0], // ONOCOV
    "2025-06": [2, 2, 0], // OLATECLAIM, OSW2
    "2025-07": [2, 0, 0], // OHUM, F179
    "2025-08": [1, 1, 0], // OCLAIM
    "2025-09": [1, 0, 0], // S65
    "2025-10": [1, 0, 2], // OEDGE mature; OLATE and S731's claim order pending
    "2025-11": [0, 0, 1], // OIMM
    "2025-12": [0, 0, 1], // OCAPPEND
  },
  result_documented: {
    "2025-02": [3, 1, 0], // R8P, R31, R30 (documented)
    "2025-03": [1, 1, 0], // OW
    "2025-04": [1, 0, 0],
    "2025-05": [1, 0, 0],
    "2025-06": [2, 0, 0],
    "2025-08": [1, 1, 0],
  },
  order_capture: {
    "2025-02": [4, 1, 0], // OSW1, R8P, R31, R30 (captured)
    "2025-03": [2, 1, 0], // OW (captured), OW1
    "2025-04": [1, 0, 0], // S86
    "2025-05": [1, 1, 0], // ONOCOV
    "2025-06": [2, 2, 0], // OSW2, OLATECLAIM
    "2025-07": [2, 0, 0], // OHUM, F179
    "2025-09": [1, 0, 0], // S65
    "2025-10": [2, 0, 0], // OEDGE, OLATE
    "2025-11": [1, 1, 0], // OIMM
    "2025-12": [0, 0, 1], // OCAPPEND
  },
  // Rolling 12 months ending with each month m: period [first day of m − 11, last day of m];
  // age and coverage on the last day of m; no study in the 730 days before the period start.
  //   S85 (85 all year, AET-MA, no live order): eligible every month, never numerator.
  //   S86 (85 until 2025-12-30): eligible Jan–Nov; her order 04-15 is in the rolling period from April.
  //   SENDED (covered until 12-30): eligible Jan–Nov, no order.
  //   OHUM (69–70): eligible every month; order 07-01 in the rolling period from July.
  //   S65 (65 on 12-31) and S731 (her 2023-01-01 study is within 730 days of every start before
  //   2025-01-01): eligible in December only, both with an order in 2025.
  //   S730 (study 2023-01-02): excluded every month; S64: too young all year.
  screening_ordering: {
    "2025-01": [4, 0, 0],
    "2025-02": [4, 0, 0],
    "2025-03": [4, 0, 0],
    "2025-04": [4, 1, 0],
    "2025-05": [4, 1, 0],
    "2025-06": [4, 1, 0],
    "2025-07": [4, 2, 0],
    "2025-08": [4, 2, 0],
    "2025-09": [4, 2, 0],
    "2025-10": [4, 2, 0],
    "2025-11": [4, 2, 0],
    "2025-12": [4, 3, 0], // S65, S85, S731, OHUM; numerator S65, S731, OHUM = the 2025 total
  },
  post_fracture: {
    "2025-02": [1, 0, 0], // FNOCOV
    "2025-07": [2, 1, 1], // F181, F180 (followed up); F179 pending
  },
};

// Claims lag (all payers) at A: every claim line is received 10 days after service except the
// as-of line (11 days) and OLATECLAIM's study (117 days); the lines received in the 365 days up
// to A are the 31 lines of 2025 (the two 2023 studies are older). 90th percentile: position
// 0.9 × 30 = 27 of the sorted lags (0-based), and positions 0–28 hold 10 → p90 = 10 days. So a
// month is provisional while A < month end + 10: only December. At E the lines received by E
// are all 10 days late (p90 = 10): September and the months after E are provisional.
const PROVISIONAL_AT_A = ["2025-12"];

// ---------------------------------------------------------------------------------------------

describe.each(ENGINES)("measures golden fixture on %s", (engine) => {
  let db: TestDatabase;
  let asOf: string;
  let earlier: string;

  beforeAll(async () => {
    db = await freshDatabase(engine);
    const coverage = Object.entries(MEMBERS).flatMap(([member_id, s]) =>
      s.coverage.map(([plan_id, start_date, end_date]) => ({ member_id, plan_id, start_date, end_date: end_date ?? "" })),
    );
    await importFixture(db, {
      "plans.csv": PLANS,
      "members.csv": Object.entries(MEMBERS).map(([member_id, s]) => ({ member_id, birth_date: s.born, sex: s.sex })),
      "coverage.csv": coverage,
      "orders.csv": ORDERS,
      "claim_lines.csv": CLAIMS,
    });
    asOf = (await resolveSnapshot(db))!;
    earlier = (await resolveSnapshot(db, E))!;
  });
  afterAll(() => db?.dispose());

  const compute = (measure: ClaimsMeasureKey, groupBy: GroupBy, extra: Partial<MeasureQuery> = {}): Promise<MeasureResult> =>
    computeAs(db, QUALITY_OFFICER, { measure, from: FROM, to: TO, window: W, asOf, groupBy, ...extra });
  const counts = (r: { denominator: number; numerator: number; pending: number }): Counts => [r.denominator, r.numerator, r.pending];
  const sumRows = (rows: MeasureRow[]): Counts =>
    rows.reduce<Counts>((t, r) => [t[0] + r.denominator, t[1] + r.numerator, t[2] + r.pending], [0, 0, 0]);

  it("the as-of date is the latest received date; an earlier one is taken as asked, a later one clamped", async () => {
    expect(asOf).toBe(A);
    expect(earlier).toBe(E);
    // The data are not complete beyond their own as-of date.
    expect(await resolveSnapshot(db, "2026-03-01")).toBe(A);
  });

  describe("single cases (a one-day period isolates each)", () => {
    const followUp = async (date: string, at = A) => counts((await compute("order_follow_up", "payer", { from: date, to: date, asOf: at })).total);

    it("an order completed on day W counts; one completed on day W + 1 does not", async () => {
      expect(await followUp("2025-03-03")).toEqual([1, 1, 0]);
      expect(await followUp("2025-03-04")).toEqual([1, 0, 0]);
    });

    it("an immature order is pending and left out of the rate, even when completed", async () => {
      expect(await followUp("2025-11-01")).toEqual([0, 0, 1]);
      const r = await compute("order_follow_up", "payer", { from: "2025-11-01", to: "2025-11-01" });
      expect(r.total.rate).toBeNull();
      expect(r.total.flags).toEqual(["not_available"]);
    });

    it("maturity: order date + W = as-of is mature, one day later is pending", async () => {
      expect(await followUp("2025-10-02")).toEqual([1, 0, 0]);
      expect(await followUp("2025-10-03")).toEqual([0, 0, 1]);
    });

    it("a cancelled order is in no measure, even with a study after it", async () => {
      for (const measure of ["order_follow_up", "result_documented", "order_capture"] as const) {
        const r = await compute(measure, "payer", { from: "2025-04-01", to: "2025-04-01" });
        expect(counts(r.total), measure).toEqual([0, 0, 0]);
      }
      // S85's only order is cancelled: she is in the screening denominator, not the numerator.
      const r = await compute("screening_ordering", "plan", { plans: ["AET-MA"] });
      expect(counts(r.total)).toEqual([1, 0, 0]);
    });

    it("a 3095F with 8P, or 31 days after the study, does not document the result; 30 days does", async () => {
      const documented = async (date: string) => counts((await compute("result_documented", "payer", { from: date, to: date })).total);
      expect(await documented("2025-02-10")).toEqual([1, 0, 0]); // R8P
      expect(await documented("2025-02-11")).toEqual([1, 0, 0]); // R31
      expect(await documented("2025-02-12")).toEqual([1, 1, 0]); // R30
    });

    it("an order is attributed by the coverage on its date, after a plan switch", async () => {
      const feb = await compute("order_follow_up", "payer", { from: "2025-02-01", to: "2025-02-01" });
      const jun = await compute("order_follow_up", "payer", { from: "2025-06-15", to: "2025-06-15" });
      expect(feb.rows.filter((r) => r.denominator > 0).map((r) => r.payerKey)).toEqual(["aetna"]);
      expect(jun.rows.filter((r) => r.denominator > 0).map((r) => r.payerKey)).toEqual(["bcbs"]);
    });

    it("post-fracture: an episode 180 days before the as-of date is mature, 179 days pending", async () => {
      const fracture = async (date: string) => counts((await compute("post_fracture", "payer", { from: date, to: date })).total);
      expect(await fracture(addDays(A, -181))).toEqual([1, 0, 0]); // F181: mature, no follow-up
      expect(await fracture(addDays(A, -180))).toEqual([1, 1, 0]); // F180: mature on the last day, followed up
      expect(await fracture(addDays(A, -179))).toEqual([0, 0, 1]); // F179: pending though followed up
    });
  });

  describe.each(CLAIMS_MEASURE_KEYS)("%s", (measure) => {
    it("by payer at the data's as-of date", async () => {
      const r = await compute(measure, "payer");
      expect(withUnits(r.rows).map(project)).toEqual(byPayer(PAYER_AT_A[measure].rows));
      expect(withUnits(r.rows).map((row) => row.payerName)).toEqual(Object.keys(PAYER_AT_A[measure].rows).map((k) => PAYER_NAMES[k]));
      expect(project(r.total)).toEqual(shape({}, PAYER_AT_A[measure].total));
      // Payer rows add up to the total.
      expect(sumRows(r.rows)).toEqual(PAYER_AT_A[measure].total);
    });

    it("by payer at an earlier as-of date", async () => {
      const r = await compute(measure, "payer", { asOf: earlier });
      expect(withUnits(r.rows).map(project)).toEqual(byPayer(PAYER_AT_E[measure].rows));
      expect(project(r.total)).toEqual(shape({}, PAYER_AT_E[measure].total));
      expect(sumRows(r.rows)).toEqual(PAYER_AT_E[measure].total);
    });

    it("by plan (payer and plan filled)", async () => {
      const r = await compute(measure, "plan");
      expect(r.rows.map(project)).toEqual(byPlan(PLAN_AT_A[measure]));
      for (const row of r.rows.filter((x) => x.planId !== null)) {
        expect(row.payerName).toBe(PAYER_NAMES[row.payerKey!]);
        expect(row.planName).toBe(PLANS.find((p) => p.plan_id === row.planId)!.plan_name);
      }
      expect(project(r.total)).toEqual(shape({}, PAYER_AT_A[measure].total));
      expect(sumRows(r.rows)).toEqual(PAYER_AT_A[measure].total);
    });

    it("by product line", async () => {
      const r = await compute(measure, "product_line");
      // (How the unattributed row is labelled is the test "the unattributed row of a product-line
      // breakdown …" below; here only its counts.)
      expect(r.rows.map(project).map((x) => (x.unattributed ? { ...x, payerKey: null } : x))).toEqual(byLine(LINE_AT_A[measure]));
      expect(project(r.total)).toEqual(shape({}, PAYER_AT_A[measure].total));
      expect(sumRows(r.rows)).toEqual(PAYER_AT_A[measure].total);
    });

    it("by month: every month of the period, zero-filled, written YYYY-MM", async () => {
      const r = await compute(measure, "month");
      expect(r.rows.map((row) => row.month)).toEqual(MONTHS);
      expect(r.rows.map(project)).toEqual(byMonth(MONTH_AT_A[measure], PROVISIONAL_AT_A));
      expect(project(r.total)).toEqual(shape({}, PAYER_AT_A[measure].total));
      if (measure !== "screening_ordering") expect(sumRows(r.rows)).toEqual(PAYER_AT_A[measure].total);
    });
  });

  it("screening_ordering by month: the December point is the 12-month period itself", async () => {
    const byMonthRows = await compute("screening_ordering", "month");
    const december = byMonthRows.rows.at(-1)!;
    expect(counts(december)).toEqual(counts(byMonthRows.total));
    // And each point is the measure over its own rolling period: March = [2024-04-01, 2025-03-31].
    const march = await compute("screening_ordering", "payer", { from: "2024-04-01", to: "2025-03-31" });
    expect(counts(march.total)).toEqual(MONTH_AT_A.screening_ordering["2025-03"]);
  });

  it("by month at the earlier as-of date: September onwards provisional, later months empty", async () => {
    const r = await compute("order_follow_up", "month", { asOf: earlier });
    expect(r.rows.map(project)).toEqual(
      byMonth(
        {
          "2025-02": [4, 3, 0],
          "2025-03": [2, 1, 0],
          "2025-04": [1, 1, 0],
          "2025-05": [1, 1, 0],
          "2025-06": [2, 1, 0], // OLATECLAIM's study not yet received at E
          "2025-07": [1, 0, 1], // OHUM mature (07-01 + 90 = 09-29); F179 (07-20) pending
          "2025-08": [0, 0, 1], // OCLAIM pending
          "2025-09": [0, 0, 1], // S65 pending
        },
        ["2025-09", "2025-10", "2025-11", "2025-12"],
      ),
    );
  });

  describe("filters", () => {
    it("payers: only the payers asked for, and a total over them", async () => {
      const r = await compute("order_follow_up", "payer", { payers: ["aetna"] });
      expect(r.rows.map(project)).toEqual(byPayer({ aetna: [10, 6, 3] }));
      expect(counts(r.total)).toEqual([10, 6, 3]);
      const plans = await compute("order_follow_up", "plan", { payers: ["aetna", "humana"] });
      expect(plans.rows.map(project)).toEqual(byPlan({ "AET-PPO": [9, 5, 2], "AET-MA": [1, 1, 1], "HUM-MA": [1, 0, 0] }));
      expect(counts(plans.total)).toEqual([11, 6, 3]);
    });

    it("plans: only the plans asked for", async () => {
      const r = await compute("order_follow_up", "plan", { plans: ["AET-MA"] });
      expect(r.rows.map(project)).toEqual(byPlan({ "AET-MA": [1, 1, 1] }));
      expect(counts(r.total)).toEqual([1, 1, 1]);
      // By payer, the listed payers stay listed (zero), Aetna carries the plan's counts.
      const payers = await compute("order_follow_up", "payer", { plans: ["AET-MA"] });
      expect(payers.rows.map(project)).toEqual(
        byPayer({ aetna: [1, 1, 1], bcbs: [0, 0, 0], cigna: [0, 0, 0], uhc: [0, 0, 0], medicare: [0, 0, 0] }),
      );
    });

    it("product lines: only the plans of those lines; no unattributed row", async () => {
      const r = await compute("order_follow_up", "plan", { productLines: ["medicare_advantage"] });
      expect(r.rows.map(project)).toEqual(byPlan({ "AET-MA": [1, 1, 1], "HUM-MA": [1, 0, 0] }));
      expect(counts(r.total)).toEqual([2, 1, 1]);
      const lines = await compute("order_follow_up", "product_line", { productLines: ["medicare_advantage", "medicare_ffs"] });
      expect(lines.rows.map(project)).toEqual(byLine({ medicare_advantage: [2, 1, 1], medicare_ffs: [2, 1, 1] }));
      expect(counts(lines.total)).toEqual([4, 2, 2]);
    });

    it("filters combine with the earlier as-of date", async () => {
      const r = await compute("order_follow_up", "plan", { payers: ["aetna"], asOf: earlier });
      // At E: AET-PPO mature OW, OW1, OSW1, R8P, R31, R30, OLATECLAIM (7, completed 4), S65 pending;
      // AET-MA: S86 (1, completed 1); OCAPPEND dated after E.
      expect(r.rows.map(project)).toEqual(byPlan({ "AET-PPO": [7, 4, 1], "AET-MA": [1, 1, 0] }));
    });
  });

  it("a payer of the data (Humana) is listed in every measure by payer, 'not available' where it has no unit", async () => {
    // SPEC section 2: any other payer name in the data becomes a payer of its own, listed after
    // the five; a payer with no data shows "Data not available". Humana has a plan (HUM-MA,
    // listed with zeros by plan) but no completed order, so no unit in result_documented.
    const byPlanRows = await compute("result_documented", "plan");
    expect(byPlanRows.rows.find((x) => x.planId === "HUM-MA")).toMatchObject({ denominator: 0, flags: ["not_available"] });
    for (const at of [A, E]) {
      const r = await compute("result_documented", "payer", { asOf: at });
      expect(r.rows.map((x) => x.payerKey), `as-of ${at}`).toEqual(["aetna", "bcbs", "cigna", "uhc", "medicare", "humana", "unknown"]);
      expect(project(r.rows.find((x) => x.payerKey === "humana")!)).toEqual(shape({ payerKey: "humana" }, [0, 0, 0]));
    }
  });

  it("the unattributed row of a product-line breakdown is labelled Unknown payer, so it cannot be mistaken for the total", async () => {
    // Units without a plan are "under payer unknown with plan and product line null and
    // unattributed true" (lib/measures/types.ts), as in the plan breakdown. In the CSV a row
    // with every dimension null reads All/All/All/All, like the total row.
    const byPlanRows = await compute("order_follow_up", "plan");
    expect(byPlanRows.rows.at(-1)).toMatchObject({ payerKey: "unknown", payerName: "Unknown payer", planId: null, unattributed: true });
    const r = await compute("order_follow_up", "product_line");
    const row = r.rows.find((x) => x.unattributed)!;
    expect(counts(row)).toEqual([1, 1, 0]);
    expect(row).toMatchObject({ payerKey: "unknown", payerName: "Unknown payer", planId: null, productLine: null, month: null });
  });

  it("Unknown payer, Humana and the listed payers come in SPEC order", async () => {
    const r = await compute("order_follow_up", "payer");
    expect(r.rows.map((x) => [x.payerKey, x.payerName])).toEqual([
      ["aetna", "Aetna"],
      ["bcbs", "Blue Cross Blue Shield"],
      ["cigna", "Cigna Health"],
      ["uhc", "UnitedHealthcare"],
      ["medicare", "Medicare"],
      ["humana", "Humana"],
      ["unknown", "Unknown payer"],
    ]);
    // An empty listed payer: denominator 0, rate null, "not available" (never 0%).
    const cigna = r.rows.find((x) => x.payerKey === "cigna")!;
    expect(cigna).toMatchObject({ denominator: 0, numerator: 0, pending: 0, rate: null, ciLow: null, ciHigh: null, flags: ["not_available"] });
  });
});
