import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { countCms249Populations, ensureCms249Periods } from "@/lib/cms249/results";
import { importFolder } from "@/lib/import";
import { CMS249_FIXTURES, loadOfficialCases, patientWithQualifyingVisit } from "@/test/support/cms249-fixtures";
import { ENGINES, freshDatabase, type TestDatabase } from "../support/databases";

// How CMS249's kept results follow the data (lib/cms249/results.ts): an import that changes one
// patient's resources evaluates that patient again and no other; a period already kept and
// current is read without a write; at most MAX_CMS249_PERIODS periods are kept (here a bound
// of 4, the same code with a smaller number, so that the test evaluates 6 periods, not 50), the
// one evaluated longest ago dropped first.

const cases = loadOfficialCases();
const PERIOD = { start: "2025-01-01", end: "2025-12-31" };
// Two official cases, each in the initial population and the denominator (their reports say so).
const DXA_ORDER_BEFORE = "0564f882-a4ad-4965-a6fb-eeb9729f33b5"; // NumFail DXAOrderB4MP
const QUALIFYING_ENCOUNTER = "56236023-b436-48c3-b7f7-0c4b827d6a4e"; // IPPass 50FemaleWithQualEnc

describe.each(ENGINES)("CMS249 results kept per period on %s", (engine) => {
  let db: TestDatabase;
  const folders: string[] = [];
  const folder = () => {
    const dir = mkdtempSync(path.join(tmpdir(), "cms249-results-"));
    folders.push(dir);
    return dir;
  };
  const row = async (patientId: string) =>
    (await db.query<{ numerator: boolean; key: string }>(`SELECT numerator, evaluation_key AS key FROM cms249_results WHERE period_start = '2025-01-01' AND period_end = '2025-12-31' AND patient_id = $1`, [patientId]))[0];
  const kept = async () => (await db.query<{ start: string; batch: number; at: string }>(`SELECT period_start::text AS start, fhir_batch_id AS batch, evaluated_at::text AS at FROM cms249_periods ORDER BY period_start`));

  beforeAll(async () => {
    db = await freshDatabase(engine);
    const dir = folder();
    for (const c of cases) copyFileSync(path.join(CMS249_FIXTURES, "cases", `${c.patientId}.json`), path.join(dir, `${c.patientId}.json`));
    expect((await importFolder(db, dir, { importedBy: "test" })).problems).toEqual([]);
  }, 300_000);
  afterAll(async () => {
    await db?.dispose();
    for (const dir of folders) rmSync(dir, { recursive: true, force: true });
  });

  it("evaluates a period once; reading it again writes nothing", async () => {
    expect(await kept()).toEqual([]); // no claims, so no default period: nothing evaluated at import
    expect(await ensureCms249Periods(db, [PERIOD])).toEqual([PERIOD]);
    const first = await kept();
    expect(first.map((p) => p.start)).toEqual(["2025-01-01"]);
    expect(await countCms249Populations(db, PERIOD, null)).toEqual({ initialPopulation: 27, denominator: 27, denominatorExclusion: 16, numerator: 4, numeratorExclusion: 3 });
    await ensureCms249Periods(db, [PERIOD]);
    expect(await kept()).toEqual(first);
  });

  it("after an import that changes one patient, evaluates her alone again", async () => {
    // A mark no evaluation would write: a patient the next import does not touch keeps it.
    await db.query(`UPDATE cms249_results SET numerator = true WHERE patient_id = $1`, [QUALIFYING_ENCOUNTER]);
    const before = await row(DXA_ORDER_BEFORE);
    // The same case again, with the Patient now male: out of the initial population (so her row goes).
    const changed = folder();
    const bundle = JSON.parse(readFileSync(path.join(CMS249_FIXTURES, "cases", `${DXA_ORDER_BEFORE}.json`), "utf8")) as { entry: { resource: { resourceType: string; gender?: string } }[] };
    bundle.entry = bundle.entry.filter((e) => e.resource.resourceType !== "MeasureReport");
    for (const e of bundle.entry) if (e.resource.resourceType === "Patient") e.resource.gender = "male";
    writeFileSync(path.join(changed, "changed.json"), JSON.stringify(bundle));
    const result = await importFolder(db, changed, { importedBy: "test" });
    expect(result.problems).toEqual([]);
    expect(before).toBeDefined();
    expect(await row(DXA_ORDER_BEFORE)).toBeUndefined();
    expect((await row(QUALIFYING_ENCOUNTER))!.numerator).toBe(true); // not evaluated again
    const [period] = await kept();
    expect(period!.batch).toBe(result.batchId); // brought up to date by the import itself
    // 27 − 1 in the population and the denominator; she was in neither exclusion nor the numerator;
    // the mark adds one to the numerator.
    expect(await countCms249Populations(db, PERIOD, null)).toEqual({ initialPopulation: 26, denominator: 26, denominatorExclusion: 16, numerator: 5, numeratorExclusion: 3 });

    // A claims import (no FHIR file) leaves the kept period current: nothing to evaluate again.
    const claims = folder();
    writeFileSync(path.join(claims, "plans.csv"), "plan_id,payer,plan_name,product_line\nAET-PPO,Aetna,Aetna PPO,commercial\n");
    writeFileSync(
      path.join(claims, "claim_lines.csv"),
      `claim_id,line_number,frequency_code,received_date,member_id,plan_id,claim_type,service_date,procedure_code,line_status\nC1,1,1,2026-02-15,${QUALIFYING_ENCOUNTER},AET-PPO,professional,2026-02-01,99213,paid\n`,
    );
    expect((await importFolder(db, claims, { importedBy: "test" })).problems).toEqual([]);
    const periodsNow = await kept();
    expect(periodsNow.find((p) => p.start === "2025-01-01")).toEqual(period);
    await ensureCms249Periods(db, [PERIOD]);
    expect((await kept()).find((p) => p.start === "2025-01-01")).toEqual(period);
    expect((await row(QUALIFYING_ENCOUNTER))!.numerator).toBe(true);
  }, 300_000);

  it("keeps at most its bound of periods, dropping the one evaluated longest ago", async () => {
    const MAX = 4;
    const small = await freshDatabase(engine);
    try {
      const dir = folder();
      const resources = patientWithQualifyingVisit("p1", { gender: "female", birthDate: "1970-06-01" }, "2025-03-03");
      writeFileSync(path.join(dir, "one.json"), JSON.stringify({ resourceType: "Bundle", type: "collection", entry: resources.map((resource) => ({ resource })) }));
      expect((await importFolder(small, dir, { importedBy: "test" })).problems).toEqual([]);
      // Periods ending on each of MAX + 2 days of December 2025, asked for one after the other.
      const periods = Array.from({ length: MAX + 2 }, (_, i) => ({ start: "2025-01-01", end: `2025-12-${String(i + 1).padStart(2, "0")}` }));
      for (const p of periods) await ensureCms249Periods(small, [p], { maxPeriods: MAX });
      const left = await small.query<{ start: string; end: string }>(`SELECT period_start::text AS start, period_end::text AS "end" FROM cms249_periods ORDER BY evaluated_at, period_start, period_end`);
      expect(left).toHaveLength(MAX);
      expect(left).toEqual(periods.slice(2));
      const rows = await small.query<{ n: number }>(`SELECT count(*)::int AS n FROM cms249_results`);
      expect(rows[0]!.n).toBe(MAX); // one candidate a period, the dropped periods' rows gone
      // A period asked for again after it was dropped is evaluated again: she is in the population.
      await ensureCms249Periods(small, [periods[0]!], { maxPeriods: MAX });
      expect((await countCms249Populations(small, periods[0]!, null)).initialPopulation).toBe(1);
    } finally {
      await small.dispose();
    }
  }, 300_000);
});
