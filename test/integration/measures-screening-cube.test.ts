import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Sql } from "@/db/client";
import { generateDataset } from "@/lib/generate";
import { importFolder } from "@/lib/import";
import { addMonths, lastDayOfMonth } from "@/lib/months";
import { MEASURE_UNITS, SCREENING_POPULATION_UNITS } from "@/lib/measures/units";
import { ENGINES, freshDatabase, type TestDatabase } from "../support/databases";
import { claimLine, importFixture } from "../support/fixture-folder";

// screening_ordering is read from a cube derived with the snapshot (lib/derive/screening.ts)
// for periods of whole months, and counted over the population for any other period. The
// population query is the measure as SPEC section 5 words it, one woman at a time; the cube must
// give the same counts, plan by plan, for every period of whole months. Checked on hand-made
// edge cases (birthdays on 29 February and on month ends, spans ending mid-month or
// overlapping, studies exactly 730 days and 1 day before a period, orders on its first and last
// days) and on generated data.

type PlanCounts = { plan_id: string; denominator: number; numerator: number };

async function countByPlan(db: Sql, units: string, asOf: string, from: string, to: string): Promise<PlanCounts[]> {
  return db.query<PlanCounts>(
    `SELECT plan_id, sum(denominator)::int AS denominator, sum(numerator)::int AS numerator
     FROM (${units}) u WHERE $4::int > 0 GROUP BY plan_id ORDER BY plan_id COLLATE "C"`,
    [asOf, from, to, 90],
  );
}

/** Periods of whole months: every end from `firstEnd` to `lastEnd`, each with starts 0, 1, 11,
 *  12, 23, 24, 25 and 119 months earlier. */
function periods(firstEnd: string, lastEnd: string): { from: string; to: string }[] {
  const out: { from: string; to: string }[] = [];
  for (let end = firstEnd; end <= lastEnd; end = addMonths(end, 1)) {
    for (const back of [0, 1, 11, 12, 23, 24, 25, 119]) out.push({ from: `${addMonths(end, -back)}-01`, to: lastDayOfMonth(end) });
  }
  return out;
}

async function expectCubeEqualsPopulation(db: Sql, asOf: string, list: { from: string; to: string }[]): Promise<number> {
  let counted = 0;
  for (const { from, to } of list) {
    const [cube, population] = await Promise.all([
      countByPlan(db, MEASURE_UNITS.screening_ordering, asOf, from, to),
      countByPlan(db, SCREENING_POPULATION_UNITS, asOf, from, to),
    ]);
    expect(cube, `${from}..${to}`).toEqual(population);
    counted += population.reduce((n, p) => n + p.denominator, 0);
  }
  return counted;
}

describe.each(ENGINES)("the screening cube on %s", (engine) => {
  describe("hand-made edge cases", () => {
    let db: TestDatabase;
    const AS_OF = "2025-12-31";
    beforeAll(async () => {
      db = await freshDatabase(engine);
      const women = [
        // born 29 February: 65 on 1 March 2025 by PostgreSQL's age(); 86 on 1 March 2046
        { member_id: "W-LEAP", birth_date: "1960-02-29", sex: "F" },
        // 65 on the last day of a month, and 86 at the end of 2025
        { member_id: "W-MONTH-END", birth_date: "1959-04-30", sex: "F" },
        { member_id: "W-OLD", birth_date: "1939-12-31", sex: "F" },
        { member_id: "W-MID", birth_date: "1950-06-15", sex: "F" },
        { member_id: "W-TWO-PLANS", birth_date: "1948-08-01", sex: "F" },
        { member_id: "M-MAN", birth_date: "1950-01-01", sex: "M" },
      ];
      await importFixture(db, {
        "plans.csv": [
          { plan_id: "PA", payer: "Aetna", plan_name: "A", product_line: "commercial" },
          { plan_id: "PB", payer: "Medicare", plan_name: "B", product_line: "medicare_ffs" },
        ],
        "members.csv": women,
        "coverage.csv": [
          { member_id: "W-LEAP", plan_id: "PA", start_date: "2020-01-01", end_date: "" },
          { member_id: "W-MONTH-END", plan_id: "PA", start_date: "2024-03-15", end_date: "2025-05-30" },
          { member_id: "W-MONTH-END", plan_id: "PB", start_date: "2025-05-31", end_date: "2025-09-30" },
          { member_id: "W-OLD", plan_id: "PB", start_date: "2015-01-01", end_date: "" },
          { member_id: "W-MID", plan_id: "PA", start_date: "2019-01-01", end_date: "2025-03-31" },
          { member_id: "W-MID", plan_id: "PB", start_date: "2024-07-01", end_date: "" },
          { member_id: "W-TWO-PLANS", plan_id: "PB", start_date: "2023-01-01", end_date: "" },
          { member_id: "W-TWO-PLANS", plan_id: "PA", start_date: "2023-01-01", end_date: "2024-12-31" },
          { member_id: "M-MAN", plan_id: "PA", start_date: "2015-01-01", end_date: "" },
        ],
        "orders.csv": [
          { order_id: "O1", member_id: "W-LEAP", order_date: "2025-03-01" },
          { order_id: "O2", member_id: "W-MID", order_date: "2024-12-31" },
          { order_id: "O3", member_id: "W-MID", order_date: "2025-07-01", status: "cancelled" },
          { order_id: "O4", member_id: "W-OLD", order_date: "2025-01-01" },
          { order_id: "O5", member_id: "W-TWO-PLANS", order_date: "2024-06-15" },
          { order_id: "O6", member_id: "W-TWO-PLANS", order_date: "2025-06-15" },
          { order_id: "O7", member_id: "M-MAN", order_date: "2025-06-15" },
        ],
        "claim_lines.csv": [
          // studies 730 days before 2025-01-01 (2023-01-02) and 1 day before 2025-07-01
          claimLine({ claim_id: "S1", member_id: "W-MID", plan_id: "PA", service_date: "2023-01-02", procedure_code: "77080", received_date: "2023-01-20" }),
          claimLine({ claim_id: "S2", member_id: "W-OLD", plan_id: "PB", service_date: "2025-06-30", procedure_code: "77080", received_date: "2025-07-10" }),
          claimLine({ claim_id: "S3", member_id: "W-TWO-PLANS", plan_id: "PB", service_date: "2022-12-31", procedure_code: "77085", received_date: "2023-01-10" }),
          claimLine({ claim_id: "S4", member_id: "W-LEAP", plan_id: "PA", service_date: "2023-03-01", procedure_code: "77080", received_date: "2023-03-20" }),
          // a claim-sourced order (3096F without an EHR order near it)
          claimLine({ claim_id: "S5", member_id: "W-MONTH-END", plan_id: "PA", service_date: "2025-05-31", procedure_code: "3096F", received_date: "2025-06-10" }),
          claimLine({ claim_id: "CLOCK", member_id: "M-MAN", plan_id: "PA", service_date: "2025-12-01", procedure_code: "99213", received_date: AS_OF }),
        ],
      });
    });
    afterAll(() => db?.dispose());

    it("equals the population query for every period of whole months ending 2023-01 to 2026-12", async () => {
      const women = await expectCubeEqualsPopulation(db, AS_OF, periods("2023-01", "2026-12"));
      expect(women).toBeGreaterThan(500); // plenty of women counted across the periods
    });

    it("a period ending in a month where no woman qualifies counts none", async () => {
      expect(await countByPlan(db, MEASURE_UNITS.screening_ordering, AS_OF, "2004-01-01", "2004-12-31")).toEqual([]);
    });
  });

  describe("generated data", () => {
    let db: TestDatabase;
    let dir: string;
    let asOf: string;
    beforeAll(async () => {
      dir = mkdtempSync(path.join(tmpdir(), "dxa-screening-"));
      await generateDataset({ members: 3000, seed: 31, outDir: dir });
      db = await freshDatabase(engine);
      const result = await importFolder(db, dir, { importedBy: "test" });
      expect(result.problems).toEqual([]);
      asOf = result.snapshot!.asOf;
    });
    afterAll(async () => {
      await db?.dispose();
      rmSync(dir, { recursive: true, force: true });
    });

    it("equals the population query, plan by plan, for periods ending from before the data to a year after the as-of date", async () => {
      const women = await expectCubeEqualsPopulation(db, asOf, periods("2022-01", "2027-06"));
      expect(women).toBeGreaterThan(50_000);
    });
  });
});
