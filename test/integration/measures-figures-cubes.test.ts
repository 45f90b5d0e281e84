import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateDataset } from "@/lib/generate";
import { importFolder } from "@/lib/import";
import { getDaysToScan, getDaysToScanDistribution, getDenialShare, type FigureQuery } from "@/lib/measures";
import { ENGINES, freshDatabase, type TestDatabase } from "../support/databases";
import { QUALITY_OFFICER, viewerAs } from "../support/viewers";

// The overview's days to scan and the payer page's denial share are read from cubes of the
// snapshot (scan_days, scan_months, dxa_line_days), whole months and partial ones apart. The
// reference here is the figure computed straight from the facts, as SPEC section 5 defines it:
// percentile_cont over the completed mature orders themselves, and a count of the effective
// central DXA lines.

const PERIODS = [
  { from: "2025-07-01", to: "2026-06-30" },
  { from: "2025-03-15", to: "2026-02-10" },
  { from: "2026-04-03", to: "2026-04-20" },
  { from: "2023-01-01", to: "2026-06-30" },
  { from: "2024-02-29", to: "2024-03-01" },
];

describe.each(ENGINES)("figures from the cubes on %s", (engine) => {
  let db: TestDatabase;
  let dir: string;
  let asOf: string;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), "dxa-figures-"));
    await generateDataset({ members: 3000, seed: 41, outDir: dir });
    db = await freshDatabase(engine);
    const result = await importFolder(db, dir, { importedBy: "test" });
    expect(result.problems).toEqual([]);
    asOf = result.snapshot!.asOf;
  });
  afterAll(async () => {
    await db?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  const query = (period: { from: string; to: string }, window: 30 | 60 | 90 | 180, payers: string[] = []): FigureQuery => ({
    ...period,
    window,
    asOf,
    payers,
    plans: [],
    productLines: [],
  });

  it("days to scan: the same completed count, median and 90th percentile as percentile_cont over the orders, per payer and in all", async () => {
    let completed = 0;
    for (const period of PERIODS) {
      for (const window of [30, 90, 180] as const) {
        const expected = await db.query<{ payerKey: string | null; completed: number; median: number | null; p90: number | null }>(
          `SELECT payer_key AS "payerKey", count(*)::int AS completed,
             percentile_cont(0.5) WITHIN GROUP (ORDER BY days_to_scan) AS median,
             percentile_cont(0.9) WITHIN GROUP (ORDER BY days_to_scan) AS p90
           FROM order_facts
           WHERE as_of = $1::date AND status <> 'cancelled' AND order_date BETWEEN $2::date AND $3::date
             AND order_date + $4::int <= $1::date AND days_to_scan <= $4::int
           GROUP BY GROUPING SETS ((payer_key), ())
           ORDER BY payer_key COLLATE "C" NULLS LAST`,
          [asOf, period.from, period.to, window],
        );
        const actual = await getDaysToScan({ db, viewer: QUALITY_OFFICER }, query(period, window));
        // No completed order at all: the reference has a total row of nothing, the cube none to
        // add up; both read as 0 completed, no median.
        const withoutEmpty = expected.filter((r) => r.completed > 0 || r.payerKey === null);
        expect(actual, `${period.from}..${period.to} W${window}`).toEqual(withoutEmpty);
        completed += expected.find((r) => r.payerKey === null)!.completed;

        const distribution = await db.query<{ days: number; orders: number }>(
          `SELECT days_to_scan AS days, count(*)::int AS orders FROM order_facts
           WHERE as_of = $1::date AND status <> 'cancelled' AND order_date BETWEEN $2::date AND $3::date
             AND order_date + $4::int <= $1::date AND days_to_scan <= $4::int
           GROUP BY days_to_scan ORDER BY days_to_scan`,
          [asOf, period.from, period.to, window],
        );
        expect(await getDaysToScanDistribution({ db, viewer: QUALITY_OFFICER }, query(period, window))).toEqual(distribution);
      }
    }
    expect(completed).toBeGreaterThan(1000);
  });

  it("days to scan for a payer-relations viewer covers their payers only", async () => {
    const viewer = viewerAs("payer_relations", ["aetna"]);
    const rows = await getDaysToScan({ db, viewer }, query(PERIODS[0]!, 90));
    expect(rows.map((r) => r.payerKey)).toEqual(["aetna", null]);
    expect(rows[0]!.completed).toBe(rows[1]!.completed);
  });

  it("denial share: the same lines and denied lines as the effective central DXA lines, per payer of the plan billed", async () => {
    for (const period of PERIODS) {
      const expected = await db.query<{ payerKey: string | null; lines: number; denied: number }>(
        `SELECT CASE WHEN GROUPING(p.payer_key) = 1 THEN NULL ELSE p.payer_key END AS "payerKey",
           count(*)::int AS lines, count(*) FILTER (WHERE e.line_status = 'denied')::int AS denied
         FROM effective_lines e JOIN plans p ON p.plan_id = e.plan_id
         WHERE e.as_of = $1::date AND e.procedure_code IN ('77080', '77085') AND e.service_date BETWEEN $2::date AND $3::date
         GROUP BY GROUPING SETS ((p.payer_key), ())`,
        [asOf, period.from, period.to],
      );
      const actual = await getDenialShare({ db, viewer: QUALITY_OFFICER }, query(period, 90));
      const byKey = (rows: { payerKey: string | null }[]) => [...rows].sort((a, b) => String(a.payerKey).localeCompare(String(b.payerKey)));
      expect(byKey(actual), `${period.from}..${period.to}`).toEqual(byKey(expected));
    }
  });
});
