import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { importFolder } from "@/lib/import";
import { RESERVED_PAYER_KEYS } from "@/lib/import/payers";
import { ENGINES, freshDatabase, type TestDatabase } from "../support/databases";
import { claimLine, importFixture, type FixtureRow } from "../support/fixture-folder";
import { coverage, ndjson, organization } from "../support/fhir-folders";
import { removeImportFolders, writeImportFolder } from "../support/import-folders";
import { compute, QUALITY_OFFICER } from "../support/viewers";

// SPEC section 11, "Payer names that look like reserved words": payers called "All", "Unknown",
// "Unknown payer" or "Total" (and plans so named) are payers like any other. Before, a payer named
// "Unknown" or "Unknown payer" merged into Unknown payer (key `unknown`: the orders no coverage
// attributes), because the import matched a name to any payer's key or display name.
//
// Fixture, worked by hand: one member per plan, one order each on 2025-03-01, and M6 with no
// coverage (Unknown payer). M1 (payer "All") and M5 (Aetna) have a central DXA study 4–9 days
// after their order. As of 2025-06-30 (an office visit received that day), window 30 days:
// order follow-up by payer — All 1/1, Unknown 1/0, Unknown payer (the imported one) 1/0,
// Total 1/0, Aetna 1/1, Unknown payer (unattributed) 1/0; total 6/2.

const PLANS: FixtureRow[] = [
  { plan_id: "P-ALL", payer: "All", plan_name: "All", product_line: "commercial" },
  { plan_id: "P-UNK", payer: "Unknown", plan_name: "Unknown", product_line: "commercial" },
  { plan_id: "P-UNKP", payer: "Unknown payer", plan_name: "Total", product_line: "commercial" },
  { plan_id: "P-TOT", payer: "Total", plan_name: "Total", product_line: "medicaid" },
  { plan_id: "P-AET", payer: "Aetna", plan_name: "Aetna PPO", product_line: "commercial" },
];
const MEMBERS: FixtureRow[] = ["M1", "M2", "M3", "M4", "M5", "M6"].map((member_id) => ({ member_id, birth_date: "1950-01-01", sex: "F" }));
const COVERAGE: FixtureRow[] = PLANS.map((p, i) => ({ member_id: `M${i + 1}`, plan_id: p.plan_id, start_date: "2024-01-01", end_date: "" }));
const ORDERS: FixtureRow[] = MEMBERS.map((m, i) => ({ order_id: `O${i + 1}`, member_id: m.member_id, order_date: "2025-03-01", indication: "screening" }));
const CLAIMS: FixtureRow[] = [
  claimLine({ claim_id: "C1", member_id: "M1", plan_id: "P-ALL", service_date: "2025-03-05", procedure_code: "77080", received_date: "2025-03-20" }),
  claimLine({ claim_id: "C5", member_id: "M5", plan_id: "P-AET", service_date: "2025-03-10", procedure_code: "77080", received_date: "2025-03-25" }),
  claimLine({ claim_id: "C9", member_id: "M2", plan_id: "P-UNK", service_date: "2025-06-20", procedure_code: "99213", received_date: "2025-06-30" }),
];
const QUERY = { measure: "order_follow_up", asOf: "2025-06-30", from: "2025-01-01", to: "2025-06-30", window: 30 } as const;

afterAll(() => removeImportFolders());

describe.each(ENGINES)("payers named like reserved words, on %s", (engine) => {
  let db: TestDatabase;
  beforeEach(async () => {
    db = await freshDatabase(engine);
    await importFixture(db, { "plans.csv": PLANS, "members.csv": MEMBERS, "coverage.csv": COVERAGE, "orders.csv": ORDERS, "claim_lines.csv": CLAIMS });
  });
  afterEach(() => db?.dispose());

  const byKey = async (groupBy: "payer" | "plan") => {
    const result = await compute(db, QUALITY_OFFICER, { ...QUERY, groupBy });
    const rows = result.rows.filter((r) => r.denominator > 0);
    return { rows, total: result.total };
  };

  it("each is a payer of its own, with a key no reserved word can be", async () => {
    expect(await db.query(`SELECT plan_id, payer_key FROM plans ORDER BY plan_id`)).toEqual([
      { plan_id: "P-AET", payer_key: "aetna" },
      { plan_id: "P-ALL", payer_key: "payer_all" },
      { plan_id: "P-TOT", payer_key: "payer_total" },
      { plan_id: "P-UNK", payer_key: "payer_unknown" },
      { plan_id: "P-UNKP", payer_key: "unknown-payer" },
    ]);
    expect(await db.query(`SELECT key, display_name, sort_order, listed FROM payers WHERE NOT listed ORDER BY key`)).toEqual([
      { key: "payer_all", display_name: "All", sort_order: 100, listed: false },
      { key: "payer_total", display_name: "Total", sort_order: 100, listed: false },
      { key: "payer_unknown", display_name: "Unknown", sort_order: 100, listed: false },
      { key: "unknown", display_name: "Unknown payer", sort_order: 1000000, listed: false },
      { key: "unknown-payer", display_name: "Unknown payer", sort_order: 100, listed: false },
    ]);
    const keys = (await db.query<{ key: string }>(`SELECT key FROM payers WHERE key <> 'unknown'`)).map((p) => p.key);
    for (const reserved of RESERVED_PAYER_KEYS) expect(keys).not.toContain(reserved);
  });

  it("by payer, their rows stay apart from Unknown payer and from the total, and add up to it", async () => {
    const { rows, total } = await byKey("payer");
    expect(rows.map((r) => [r.payerKey, r.payerName, r.denominator, r.numerator]).sort()).toEqual(
      [
        ["aetna", "Aetna", 1, 1],
        ["payer_all", "All", 1, 1],
        ["payer_total", "Total", 1, 0],
        ["payer_unknown", "Unknown", 1, 0],
        ["unknown", "Unknown payer", 1, 0],
        ["unknown-payer", "Unknown payer", 1, 0],
      ].sort(),
    );
    expect([total.denominator, total.numerator]).toEqual([6, 2]);
    expect(rows.reduce((n, r) => n + r.denominator, 0)).toBe(total.denominator);
  });

  it("by plan, plans named All, Unknown and Total are rows of their own beside the unattributed one", async () => {
    const { rows, total } = await byKey("plan");
    expect(rows.map((r) => [r.planId, r.planName, r.unattributed, r.denominator]).sort()).toEqual(
      [
        ["P-AET", "Aetna PPO", false, 1],
        ["P-ALL", "All", false, 1],
        ["P-TOT", "Total", false, 1],
        ["P-UNK", "Unknown", false, 1],
        ["P-UNKP", "Total", false, 1],
        [null, null, true, 1],
      ].sort(),
    );
    expect(rows.reduce((n, r) => n + r.denominator, 0)).toBe(total.denominator);
  });

  it("a later import of the same names, in other case and spacing, or from a FHIR Coverage, finds the same payers", async () => {
    const again = await importFolder(
      db,
      writeImportFolder({
        "plans.csv": "plan_id,payer,plan_name,product_line\nP-ALL2,ALL,All two,commercial\nP-UNK2,unknown,Unknown two,commercial\nP-UNKP2,UNKNOWN  PAYER,Three,commercial\n",
        "Organization.ndjson": ndjson(organization("org-unk", "Unknown")),
        "Coverage.ndjson": ndjson(coverage("cov-m6", { patient: "M6", plan: "P-FHIR", name: "From FHIR", payor: { reference: "Organization/org-unk" }, code: "5", start: "2024-01-01" })),
      }),
      { importedBy: "test" },
    );
    expect(again.problems).toEqual([]);
    expect(await db.query(`SELECT plan_id, payer_key FROM plans WHERE plan_id IN ('P-ALL2', 'P-UNK2', 'P-UNKP2', 'P-FHIR') ORDER BY plan_id`)).toEqual([
      { plan_id: "P-ALL2", payer_key: "payer_all" },
      { plan_id: "P-FHIR", payer_key: "payer_unknown" },
      { plan_id: "P-UNK2", payer_key: "payer_unknown" },
      { plan_id: "P-UNKP2", payer_key: "unknown-payer" },
    ]);
    // M6 is now covered by a plan of the payer named Unknown: Unknown payer is empty.
    const { rows, total } = await byKey("payer");
    expect(rows.map((r) => [r.payerKey, r.denominator]).sort()).toEqual(
      [
        ["aetna", 1],
        ["payer_all", 1],
        ["payer_total", 1],
        ["payer_unknown", 2],
        ["unknown-payer", 1],
      ].sort(),
    );
    expect(total.denominator).toBe(6);
  });

  it("a name without a letter or digit a–z, 0–9, and one too long for a key, get keys of their own", async () => {
    const long = `Regional ${"Very ".repeat(15)}Long Health Plan`;
    const result = await importFolder(
      db,
      writeImportFolder({ "plans.csv": `plan_id,payer,plan_name,product_line\nP-JP,健康保険,One,commercial\nP-KR,건강보험,Two,commercial\nP-LONG,${long},Three,commercial\n` }),
      { importedBy: "test" },
    );
    expect(result.problems).toEqual([]);
    const keys = await db.query<{ plan_id: string; payer_key: string }>(`SELECT plan_id, payer_key FROM plans WHERE plan_id IN ('P-JP', 'P-KR', 'P-LONG') ORDER BY plan_id`);
    const [jp, kr, longKey] = keys.map((k) => k.payer_key);
    expect(jp).toMatch(/^payer_[0-9a-f]{10}$/);
    expect(kr).toMatch(/^payer_[0-9a-f]{10}$/);
    expect(jp).not.toBe(kr);
    expect(longKey).toMatch(/^regional-very-very-.*_[0-9a-f]{10}$/);
    expect(longKey!.length).toBeLessThanOrEqual(64);
  });
});
