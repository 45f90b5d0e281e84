import { parse } from "csv-parse/sync";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Viewer } from "@/lib/access";
import { resolveSnapshot } from "@/lib/measures";
import { MemberLevelAccessError } from "@/lib/orders";
import { countFindings, listFindings } from "@/lib/reconciliation";
import { serveReport } from "@/lib/reports";
import { ENGINES, freshDatabase, type TestDatabase } from "../support/databases";
import { claimLine, importFixture } from "../support/fixture-folder";
import { QUALITY_OFFICER, viewerAs } from "../support/viewers";

// reconciliation.csv and lib/reconciliation on a hand-worked fixture, one case per rule. As-of
// 2025-12-31 (the latest claim received); period 2024-01-01 … 2025-12-31.
//   R1  EHR order 2025-01-10 captured by a 3096F line two days later, scanned 2025-02-01
//       (global), both received early in 2025: nothing to report. Two more EHR orders, not captured: 2025-12-17 is mature
//       (+14 = as-of) and reported; 2025-12-18 is not yet.
//   R2  study 2025-03-01, its only order 121 days before it (2024-10-31): study without order,
//       and that order was never captured.
//   R3  study 2025-03-01 billed TC only; its order (2025-01-01) was cancelled: study without
//       order, and a split bill missing its 26.
//   R4  order 2024-11-01, exactly 120 days before its study: the study has its order. The study
//       is TC on 2025-03-01 and 26 on 2025-03-05 (one study): billing-complete. The order was
//       not captured.
//   R5  a 77081 line 2025-04-04 (other bone density code); study 2025-05-05 billed 26 only
//       (split bill missing TC, and no order before it); EHR order 2025-06-01 whose 3096F line
//       came 15 days later (not captured; the line is a claim order of its own); a G0130 line
//       voided later (not an effective line: nothing).
//   R6  no coverage: EHR order 2025-02-02 not captured (Unknown payer); a G0130 line billed to
//       the plan named `-Bad, "Plan"` (Cigna).

const PLANS = [
  { plan_id: "AET-PPO", payer: "Aetna", plan_name: "Aetna Choice POS II", product_line: "commercial" },
  { plan_id: "CIG-BAD", payer: "Cigna Health", plan_name: '-Bad, "Plan"', product_line: "medicaid" },
];
const MEMBERS = ["R1", "R2", "R3", "R4", "R5", "R6"].map((member_id) => ({ member_id, birth_date: "1950-01-01", sex: "F" }));
const COVERAGE = ["R1", "R2", "R3", "R4", "R5"].map((member_id) => ({ member_id, plan_id: "AET-PPO", start_date: "2020-01-01", end_date: "" }));
const ORDERS = [
  { order_id: "O-R1", member_id: "R1", order_date: "2025-01-10", status: "active" },
  { order_id: "O-R1b", member_id: "R1", order_date: "2025-12-17", status: "active" },
  { order_id: "O-R1c", member_id: "R1", order_date: "2025-12-18", status: "active" },
  { order_id: "O-R2", member_id: "R2", order_date: "2024-10-31", status: "active" },
  { order_id: "O-R3", member_id: "R3", order_date: "2025-01-01", status: "cancelled" },
  { order_id: "O-R4", member_id: "R4", order_date: "2024-11-01", status: "active" },
  { order_id: "O-R5", member_id: "R5", order_date: "2025-06-01", status: "active" },
  { order_id: "O-R6", member_id: "R6", order_date: "2025-02-02", status: "active" },
];
const line = (claim_id: string, member_id: string, service_date: string, procedure_code: string, extra: Record<string, string | number> = {}) =>
  claimLine({ claim_id, member_id, plan_id: "AET-PPO", service_date, procedure_code, received_date: "2025-12-01", ...extra });
const CLAIMS = [
  line("C-R1-ORD", "R1", "2025-01-12", "3096F", { received_date: "2025-01-20" }),
  line("C-R1-DXA", "R1", "2025-02-01", "77080", { received_date: "2025-02-10" }),
  line("C-R1-RES", "R1", "2025-12-20", "3095F", { received_date: "2025-12-31" }),
  line("C-R2-DXA", "R2", "2025-03-01", "77080"),
  line("C-R3-DXA", "R3", "2025-03-01", "77080", { modifiers: "TC" }),
  line("C-R4-TC", "R4", "2025-03-01", "77080", { modifiers: "TC" }),
  line("C-R4-26", "R4", "2025-03-05", "77080", { modifiers: "26" }),
  line("C-R5-OTHER", "R5", "2025-04-04", "77081"),
  line("C-R5-DXA", "R5", "2025-05-05", "77080", { modifiers: "26;59" }),
  line("C-R5-ORD", "R5", "2025-06-16", "3096F"),
  line("C-R5-VOID", "R5", "2025-07-07", "G0130", { received_date: "2025-07-10" }),
  line("C-R5-VOID", "R5", "2025-07-07", "G0130", { frequency_code: 8, received_date: "2025-08-01" }),
  line("C-R6-SEXA", "R6", "2025-08-08", "G0130", { plan_id: "CIG-BAD", line_status: "denied" }),
];

const AETNA = "Aetna Choice POS II";
const EXPECTED: string[][] = [
  ["study_without_order", "R2", "2025-03-01", "Aetna", AETNA, "no order dated 2024-11-01 to 2025-03-01; 1 central DXA line"],
  ["study_without_order", "R3", "2025-03-01", "Aetna", AETNA, "no order dated 2024-11-01 to 2025-03-01; 1 central DXA line"],
  ["study_without_order", "R5", "2025-05-05", "Aetna", AETNA, "no order dated 2025-01-05 to 2025-05-05; 1 central DXA line"],
  ["order_not_captured", "R2", "2024-10-31", "Aetna", AETNA, "EHR order O-R2: no 3096F claim line dated 2024-10-17 to 2024-11-14"],
  ["order_not_captured", "R4", "2024-11-01", "Aetna", AETNA, "EHR order O-R4: no 3096F claim line dated 2024-10-18 to 2024-11-15"],
  ["order_not_captured", "R6", "2025-02-02", "Unknown payer", "Unknown", "EHR order O-R6: no 3096F claim line dated 2025-01-19 to 2025-02-16"],
  ["order_not_captured", "R5", "2025-06-01", "Aetna", AETNA, "EHR order O-R5: no 3096F claim line dated 2025-05-18 to 2025-06-15"],
  ["order_not_captured", "R1", "2025-12-17", "Aetna", AETNA, "EHR order O-R1b: no 3096F claim line dated 2025-12-03 to 2025-12-31"],
  ["incomplete_split_bill", "R3", "2025-03-01", "Aetna", AETNA, "technical component (TC) billed, professional (26) missing"],
  ["incomplete_split_bill", "R5", "2025-05-05", "Aetna", AETNA, "professional component (26) billed, technical (TC) missing"],
  ["other_bone_density_code", "R5", "2025-04-04", "Aetna", AETNA, "77081 peripheral DXA: claim C-R5-OTHER line 1, paid"],
  ["other_bone_density_code", "R6", "2025-08-08", "Cigna Health", `'-Bad, "Plan"`, "G0130 single-energy X-ray absorptiometry: claim C-R6-SEXA line 1, denied"],
];

describe.each(ENGINES)("reconciliation on %s", (engine) => {
  let db: TestDatabase;
  const deps = () => ({ getDatabase: async () => db, authenticate: async () => ({ ok: true as const, viewer: QUALITY_OFFICER }) });

  async function downloadRows(params: Record<string, string>): Promise<string[][]> {
    const response = await serveReport("reconciliation", new Request(`http://127.0.0.1/api/reports/reconciliation.csv?${new URLSearchParams(params)}`), deps());
    const text = await response.text();
    expect(response.status, text).toBe(200);
    const [header, ...rows] = parse(text) as string[][];
    expect(header).toEqual(["finding", "member_id", "date", "payer", "plan", "detail"]);
    return rows;
  }

  beforeAll(async () => {
    db = await freshDatabase(engine);
    await importFixture(db, { "plans.csv": PLANS, "members.csv": MEMBERS, "coverage.csv": COVERAGE, "orders.csv": ORDERS, "claim_lines.csv": CLAIMS });
    expect(await resolveSnapshot(db)).toBe("2025-12-31");
  });
  afterAll(() => db?.dispose());

  it("finds each case of the fixture, in SPEC order, then by date and member", async () => {
    expect(await downloadRows({ from: "2024-01-01", to: "2025-12-31" })).toEqual(EXPECTED);
  });

  it("keeps to the period, the payers, the plans and the product lines asked for", async () => {
    expect(await downloadRows({ from: "2025-03-01", to: "2025-04-30" })).toEqual(EXPECTED.filter((r) => r[2]! >= "2025-03-01" && r[2]! <= "2025-04-30"));
    expect(await downloadRows({ from: "2024-01-01", to: "2025-12-31", payer: "cigna,unknown" })).toEqual(EXPECTED.filter((r) => r[1] === "R6"));
    expect(await downloadRows({ from: "2024-01-01", to: "2025-12-31", plan: "CIG-BAD" })).toEqual([EXPECTED.at(-1)]);
    expect(await downloadRows({ from: "2024-01-01", to: "2025-12-31", productLine: "commercial" })).toEqual(EXPECTED.filter((r) => r[3] === "Aetna"));
  });

  it("reads an earlier snapshot as it stood then", async () => {
    // On 2025-06-30 only R1's first claims had been received (its order captured, its study
    // ordered): no other study, 3096F line or other code yet. The EHR orders dated by then, R1's
    // later ones not yet, are mature and not captured.
    const rows = await downloadRows({ from: "2024-01-01", to: "2025-12-31", asOf: "2025-06-30" });
    expect(rows.map((r) => r.slice(0, 3))).toEqual([
      ["order_not_captured", "R2", "2024-10-31"],
      ["order_not_captured", "R4", "2024-11-01"],
      ["order_not_captured", "R6", "2025-02-02"],
      ["order_not_captured", "R5", "2025-06-01"],
    ]);
  });

  it("counts findings by kind for anyone, and lists them for quality officers and data stewards only", async () => {
    const query = { asOf: "2025-12-31", from: "2024-01-01", to: "2025-12-31" };
    expect(await countFindings(db, QUALITY_OFFICER, query)).toEqual({
      study_without_order: 3,
      order_not_captured: 5,
      incomplete_split_bill: 2,
      other_bone_density_code: 2,
    });
    const scoped: Viewer = { ...viewerAs("data_steward"), payerScope: ["cigna"] };
    expect(await countFindings(db, scoped, query)).toEqual({ study_without_order: 0, order_not_captured: 0, incomplete_split_bill: 0, other_bone_density_code: 1 });
    // SPEC section 10: a data steward sees the reconciliation list (and no other member-level
    // list); payer relations never.
    expect((await listFindings(db, scoped, query)).map((f) => [f.finding, f.memberId])).toEqual([["other_bone_density_code", "R6"]]);
    await expect(listFindings(db, viewerAs("payer_relations", ["cigna"]), query)).rejects.toBeInstanceOf(MemberLevelAccessError);
    await expect(listFindings(db, viewerAs("payer_relations", null), query)).rejects.toBeInstanceOf(MemberLevelAccessError);

    const page2 = await listFindings(db, QUALITY_OFFICER, { ...query, page: 2, pageSize: 4 });
    expect(page2.map((f) => [f.finding, f.memberId, f.date])).toEqual(EXPECTED.slice(4, 8).map((r) => r.slice(0, 3)));
    const splitBills = await listFindings(db, QUALITY_OFFICER, { ...query, findings: ["incomplete_split_bill"] });
    expect(splitBills.map((f) => (f.finding === "incomplete_split_bill" ? [f.memberId, f.billed] : null))).toEqual([
      ["R3", "TC"],
      ["R5", "26"],
    ]);
  });
});
