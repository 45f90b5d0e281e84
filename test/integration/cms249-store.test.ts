import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCms249, type PatientResult } from "@/lib/cms249";
import { listCandidatePatientIds, readStoredPatients } from "@/lib/cms249/store";
import { importFolder } from "@/lib/import";
import { CMS249_FIXTURES, SYNTHEA_EXPORT, loadOfficialCases } from "@/test/support/cms249-fixtures";
import { ENGINES, freshDatabase, type TestDatabase } from "../support/databases";

// The product's own path: FHIR files imported by `importFolder` (SPEC 3b) into fhir_resources,
// candidates chosen there by the prefilter's SQL, their resources read back per patient and
// evaluated. Expected values as in the in-memory tests: the official cases' MeasureReports, and
// the Synthea populations worked out in cms249-synthea.test.ts.

const cases = loadOfficialCases();
const period = cases[0]!.period;

function populations(result: PatientResult | undefined) {
  if (!result) throw new Error("no result");
  if ("error" in result) throw new Error(`${result.patientId}: ${result.error}`);
  return result.populations;
}

describe.each(ENGINES)("CMS249 from imported FHIR resources on %s", (engine) => {
  let db: TestDatabase;
  let casesFolder: string;

  beforeAll(async () => {
    db = await freshDatabase(engine);
    casesFolder = mkdtempSync(path.join(tmpdir(), "cms249-cases-"));
    for (const c of cases) copyFileSync(path.join(CMS249_FIXTURES, "cases", `${c.patientId}.json`), path.join(casesFolder, `${c.patientId}.json`));
    for (const folder of [casesFolder, SYNTHEA_EXPORT]) {
      const result = await importFolder(db, folder, { importedBy: "test" });
      expect(result.problems, folder).toEqual([]);
    }
  });
  afterAll(async () => {
    await db?.dispose();
    rmSync(casesFolder, { recursive: true, force: true });
  });

  it("the 27 official cases, imported as transaction Bundles, give their expected populations", async () => {
    const candidates = await listCandidatePatientIds(db, period);
    const run = await runCms249(readStoredPatients(db, candidates), period);
    expect(run.stats.errors).toBe(0);
    for (const c of cases) {
      const result = run.results.find((r) => r.patientId === c.patientId);
      // A case the prefilter leaves out of the candidates is in no population; its expected
      // report must say so.
      expect(result ? populations(result) : { initialPopulation: false, denominator: false, denominatorExclusion: false, numerator: false, numeratorExclusion: false }, c.title).toEqual(c.expected);
    }
    // Synthea's only woman of 50–63 in 2025 is a candidate too, in no population.
    expect(populations(run.results.find((r) => r.patientId.startsWith("6a4160eb")))).toMatchObject({ initialPopulation: false });
    expect(run.results).toHaveLength(candidates.length);
  });

  it("the Synthea export in 1990: three candidates, 79a66c97 in the denominator and excluded", async () => {
    const candidates = await listCandidatePatientIds(db, { start: "1990-01-01", end: "1990-12-31" });
    expect(candidates).toEqual(["129c6ac7-8d06-89de-ad63-0204a93e76c3", "79a66c97-6131-3213-f3c9-4606946ab056", "a5cb8ce9-cec6-6b23-0990-cbaf753578a4"]);
    const run = await runCms249(readStoredPatients(db, candidates, { batchSize: 2 }), { start: "1990-01-01", end: "1990-12-31" });
    expect(run.results.map((r) => [r.patientId.slice(0, 8), Object.values(populations(r)).map(Number).join("")])).toEqual([
      ["129c6ac7", "00000"],
      ["79a66c97", "11100"],
      ["a5cb8ce9", "00000"],
    ]);
  });
});
