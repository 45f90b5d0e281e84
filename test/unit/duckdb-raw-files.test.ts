import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { measuresByPayer, runDuckdbPage } from "@/lib/bench/duckdb-pages";
import { RawFiles } from "@/lib/bench/duckdb-raw";

// The benchmark's DuckDB scripts (lib/bench/duckdb-*.ts) compute the pages' figures from the raw
// CSV files with their own SQL for SPEC section 4: a DuckDB time beside a page's is a comparison
// only if those figures are right. The public deck's expected figures were computed from the
// SPEC by an implementation independent of this project; every measure by payer, All included,
// must come out exactly, for each of its three parameter sets.

const DECK = path.resolve(import.meta.dirname, "../fixtures/public-deck");

type Counts = { denominator: number; numerator: number; pending: number };
type ParameterSet = {
  as_of: string;
  params: { asOf?: string; from: string; to: string; window: number };
  expected: Record<string, Record<string, Counts>>;
};

const sets = JSON.parse(readFileSync(path.join(DECK, "expected.json"), "utf8")) as ParameterSet[];

describe("DuckDB over the public deck's raw files", () => {
  it.each(sets.map((set) => [`${set.params.from} – ${set.params.to}, W ${set.params.window}, as of ${set.as_of}`, set] as const))(
    "every measure by payer as expected: %s",
    async (_, set) => {
      const raw = await RawFiles.open(path.join(DECK, "data"), set.params.asOf ?? null);
      try {
        expect(await raw.asOf()).toBe(set.as_of);
        expect(await measuresByPayer(raw, set.params)).toEqual(set.expected);
      } finally {
        raw.close();
      }
    },
  );

  it("the overview's script gives the same headlines for the period asked for", async () => {
    const set = sets[0]!;
    const { figures } = await runDuckdbPage("overview", path.join(DECK, "data"), { window: set.params.window, asOf: null, from: set.params.from, to: set.params.to });
    for (const [measure, byPayer] of Object.entries(set.expected)) {
      const { denominator, numerator, pending } = figures.headlines[measure as keyof typeof figures.headlines];
      expect({ measure, denominator, numerator, pending }).toEqual({ measure, ...byPayer.All });
    }
    // The funnel is the follow-up's and the documentation's counts.
    expect(figures.funnel.scanned).toBe(set.expected.order_follow_up!.All!.numerator);
    expect(figures.funnel.documented).toBe(set.expected.result_documented!.All!.numerator);
  });

  it("the reports page's as-of date and default period, read straight from claim_lines.csv", async () => {
    const { figures } = await runDuckdbPage("reports", path.join(DECK, "data"), { window: 90, asOf: null });
    expect(figures.period).toEqual({ from: "2025-06-01", to: "2026-05-31", asOf: "2026-06-25", window: 90 });
  });
});

// The deck's measures do not tell every D2 detail apart (no DXA lines exactly 7 days from a
// study's start): one member worked by hand does, through the data page's findings.
describe("DuckDB's D1–D2 on a member worked by hand", () => {
  const files: Record<string, string[]> = {
    "plans.csv": ["plan_id,payer,plan_name,product_line", "P1,AETNA,Plan one,commercial"],
    "members.csv": ["member_id,birth_date,sex", "M1,1950-01-01,F"],
    "coverage.csv": ["member_id,plan_id,start_date,end_date", "M1,P1,2020-01-01,"],
    "orders.csv": ["order_id,member_id,order_date,ordering_npi,indication,status", "O1,M1,2025-03-05,,,active"],
    "claim_lines.csv": [
      "claim_id,line_number,frequency_code,received_date,member_id,plan_id,claim_type,service_date,procedure_code,modifiers,line_status,rendering_npi,diagnosis_codes",
      // Study A: TC on 1 March, 26 seven days later (not more than 7: same study, billing-complete).
      "C1,1,1,2025-03-10,M1,P1,institutional,2025-03-01,77080,TC,paid,,",
      "C2,1,1,2025-03-10,M1,P1,professional,2025-03-08,77080,26,paid,,",
      // Study B: eight days after A's start, TC alone: a split bill missing its 26.
      "C3,1,1,2025-03-12,M1,P1,institutional,2025-03-09,77080,tc;59,denied,,",
      "C4,1,1,2025-03-21,M1,P1,professional,2025-03-20,77081,,paid,,",
      // Voided by its later version: no study on 25 March.
      "C5,1,1,2025-04-01,M1,P1,professional,2025-03-25,77080,,paid,,",
      "C5,1,8,2025-04-02,M1,P1,professional,2025-03-25,77080,,paid,,",
    ],
  };

  it("studies, the order's days to scan, and one finding of each kind", async () => {
    const folder = mkdtempSync(path.join(os.tmpdir(), "duckdb-hand-"));
    try {
      for (const [name, lines] of Object.entries(files)) writeFileSync(path.join(folder, name), `${lines.join("\n")}\n`);
      const raw = await RawFiles.open(folder);
      try {
        await raw.derive("outcomes");
        expect(await raw.query(`SELECT CAST(study_date AS VARCHAR) AS d, has_global, has_tc, has_26, payer_key FROM studies ORDER BY study_date`)).toEqual([
          { d: "2025-03-01", has_global: false, has_tc: true, has_26: true, payer_key: "aetna" },
          { d: "2025-03-09", has_global: false, has_tc: true, has_26: false, payer_key: "aetna" },
        ]);
        // O1 (5 March) is completed by study B, the first on or after it.
        expect(await raw.query(`SELECT order_id, days_to_scan, captured FROM outcomes`)).toEqual([{ order_id: "O1", days_to_scan: 4, captured: false }]);
      } finally {
        raw.close();
      }
      const { figures } = await runDuckdbPage("data", folder, { window: 90, asOf: null });
      expect(figures.period).toEqual({ from: "2024-04-01", to: "2025-03-31", asOf: "2025-04-02", window: 90 });
      expect(figures.findings).toEqual({ incomplete_split_bill: 1, order_not_captured: 1, other_bone_density_code: 1, study_without_order: 1 });
      expect(figures.holdings).toEqual({ members: 1, plans: 1, ehr_orders: 1, claim_lines: 6 });
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
