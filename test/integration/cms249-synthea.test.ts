import { createRequire } from "node:module";
import { beforeAll, describe, expect, it } from "vitest";
import {
  buildPatientBundle,
  countPopulations,
  evaluatePatients,
  groupByPatient,
  loadMeasurePackage,
  mayBeInInitialPopulation,
  runCms249,
  summaryMeasureReport,
  type FhirResource,
  type PatientResult,
} from "@/lib/cms249";
import { loadSyntheaExport } from "@/test/support/cms249-fixtures";

const { Calculator } = createRequire(import.meta.url)("fqm-execution") as typeof import("fqm-execution");

/*
 * The real Synthea bulk export: 13 patients, US Core profile tags, no ServiceRequest and no
 * Observation file. What CMS249 must find in it, worked out by reading the NDJSON:
 *
 * - 2025: women aged 50–63 on 2025-01-01 were born 1961-01-02 … 1975-01-01. Of the 13 only
 *   6a4160eb (female, born 1963-07-15, 61) is; her last encounter is in 2022, so no qualifying
 *   encounter in 2025: nobody is in any population.
 * - 1990 (the export's history goes back decades): women aged 50–63 on 1990-01-01 were born
 *   1926-01-02 … 1940-01-01. Three are, all born 1927-05-21 (62): 129c6ac7, 79a66c97, a5cb8ce9.
 *   Only 79a66c97 has encounters in the qualifying value sets in 1990: five finished office
 *   visits (SNOMED 439740005, value set "Office Visit") between 1990-12-01 and 1990-12-30. So the
 *   initial population and denominator are {79a66c97}. She has end-stage renal disease
 *   (SNOMED 46177005, value set "End Stage Renal Disease", onset 1989-02-18) and a completed
 *   kidney transplant (SNOMED 70536003, value set "Kidney Transplant", 1990-10-28), each a risk
 *   factor "any time in history or during the measurement period": denominator exclusion. The
 *   export holds no ServiceRequest, so no DXA order: numerator and numerator exclusion 0.
 */

const resources = loadSyntheaExport();
const year = (y: number) => ({ start: `${y}-01-01`, end: `${y}-12-31` });
const WOMAN_1990 = "79a66c97-6131-3213-f3c9-4606946ab056";

const candidates = (y: number) =>
  resources
    .filter((r) => r.resourceType === "Patient" && mayBeInInitialPopulation(r, year(y)))
    .map((p) => p.id)
    .sort();

function populations(result: PatientResult) {
  if ("error" in result) throw new Error(`${result.patientId}: ${result.error}`);
  return result.populations;
}

describe("CMS249 over the Synthea bulk export", () => {
  it("holds 13 patients tagged US Core only: the engine's default finds no QI-Core Patient", async () => {
    const patients = resources.filter((r) => r.resourceType === "Patient");
    expect(patients).toHaveLength(13);
    expect(new Set(patients.flatMap((p) => p.meta?.profile ?? []))).toEqual(new Set(["http://hl7.org/fhir/us/core/StructureDefinition/us-core-patient"]));
    const asExported = { resourceType: "Bundle", type: "collection", entry: groupByPatient(resources)[0]!.resources.map((resource) => ({ resource })) };
    await expect(Calculator.calculateRaw(loadMeasurePackage().bundle as never, [asExported] as never, { measurementPeriodStart: "2025-01-01", measurementPeriodEnd: "2025-12-31" })).rejects.toThrow(
      /Patient record with meta\.profile matching http:\/\/hl7\.org\/fhir\/us\/qicore\/StructureDefinition\/qicore-patient was not found/,
    );
  });

  it("2025: evaluates without error, one woman of age, nobody in any population", async () => {
    const run = await runCms249(groupByPatient(resources), year(2025));
    expect(run.stats).toEqual({ patients: 13, prefiltered: 12, reused: 0, evaluated: 1, errors: 0 });
    expect(candidates(2025)).toEqual(["6a4160eb-a793-2f86-2302-378626f46cce"]);
    const counts = countPopulations(run.results.map(populations));
    expect(counts).toEqual({ initialPopulation: 0, denominator: 0, denominatorExclusion: 0, numerator: 0, numeratorExclusion: 0 });
    const report = summaryMeasureReport({ measure: loadMeasurePackage().canonical, period: year(2025), counts });
    expect(report.group[0]!.measureScore).toBeUndefined(); // not available, never 0 %
  });

  it("1990: 79a66c97 is in the initial population and denominator, excluded for her kidney disease and transplant", async () => {
    const run = await runCms249(groupByPatient(resources), year(1990));
    expect(run.stats).toEqual({ patients: 13, prefiltered: 10, reused: 0, evaluated: 3, errors: 0 });
    expect(candidates(1990)).toEqual(["129c6ac7-8d06-89de-ad63-0204a93e76c3", WOMAN_1990, "a5cb8ce9-cec6-6b23-0990-cbaf753578a4"]);
    for (const result of run.results) {
      const expected = result.patientId === WOMAN_1990;
      expect(populations(result), result.patientId).toEqual({
        initialPopulation: expected,
        denominator: expected,
        denominatorExclusion: expected,
        numerator: false,
        numeratorExclusion: false,
      });
    }
  });

  describe("leaving out what no retrieve can return changes no statement of the measure", () => {
    const pkg = loadMeasurePackage();
    let pruned: Record<string, unknown>;
    let whole: Record<string, unknown>;
    let sizes: { pruned: number; whole: number };

    beforeAll(async () => {
      const groups = groupByPatient(resources);
      const prunedBundles = groups.map((g) => buildPatientBundle(g.resources, pkg));
      const wholeBundles = groups.map((g) => buildPatientBundle(g.resources, pkg, { keepUnretrievable: true }));
      sizes = { pruned: prunedBundles.reduce((n, b) => n + b.entry.length, 0), whole: wholeBundles.reduce((n, b) => n + b.entry.length, 0) };
      const options = { measurementPeriodStart: "1990-01-01", measurementPeriodEnd: "1990-12-31" };
      pruned = summarise(await statementResults(prunedBundles, options));
      whole = summarise(await statementResults(wholeBundles, options));
    });

    it("every statement of every patient is the same, from 40 % fewer resources", () => {
      expect(sizes.pruned).toBeLessThan(sizes.whole * 0.7);
      expect(pruned).toEqual(whole);
      const woman = pruned[WOMAN_1990] as Record<string, unknown>;
      expect(woman["Has Organ Transplants"]).toBe(true);
      expect(woman["Has Risk Factor Any Time in History or During Measurement Period"]).toBe(true);
    });
  });

  it("our path gives what fqm-execution's own Calculator.calculate gives, for all 13 patients", async () => {
    const bundles = groupByPatient(resources).map((g) => buildPatientBundle(g.resources));
    const ours = await evaluatePatients(bundles, year(1990));
    const { results } = await Calculator.calculate(loadMeasurePackage().bundle as never, bundles as never, {
      measurementPeriodStart: "1990-01-01",
      measurementPeriodEnd: "1990-12-31",
      calculateHTML: false,
      calculateSDEs: false,
      calculateRAVs: false,
      calculateClauseCoverage: false,
    });
    const theirs = new Map(results.map((r) => [r.patientId, Object.fromEntries(r.detailedResults![0]!.populationResults!.map((p) => [p.populationType, p.result]))]));
    expect(ours).toHaveLength(13);
    for (const result of ours) {
      const engine = theirs.get(result.patientId)!;
      expect(populations(result), result.patientId).toEqual({
        initialPopulation: engine["initial-population"],
        denominator: engine["denominator"],
        denominatorExclusion: engine["denominator-exclusion"],
        numerator: engine["numerator"],
        numeratorExclusion: engine["numerator-exclusion"],
      });
    }
  });

  it("the same populations when evaluated patient by patient as in one batch", async () => {
    const bundles = groupByPatient(resources)
      .filter((g) => g.patientId.startsWith("79a66c97") || g.patientId.startsWith("a5cb8ce9"))
      .map((g) => buildPatientBundle(g.resources));
    const together = await evaluatePatients(bundles, year(1990));
    const alone = [...(await evaluatePatients([bundles[0]!], year(1990))), ...(await evaluatePatients([bundles[1]!], year(1990)))];
    expect(alone).toEqual(together);
  });
});

/** The raw statement results of each patient, as the engine computes them. */
async function statementResults(bundles: unknown[], options: { measurementPeriodStart: string; measurementPeriodEnd: string }) {
  const { results } = await Calculator.calculateRaw(loadMeasurePackage().bundle as never, bundles as never, { ...options });
  if (typeof results === "string") throw new Error(results);
  return results.patientResults as Record<string, Record<string, unknown>>;
}

/** Statement results in comparable form: resources by type/id, engine values by their text. */
function summarise(patientResults: Record<string, Record<string, unknown>>): Record<string, unknown> {
  const value = (v: unknown): unknown => {
    if (v === null || v === undefined) return null;
    if (typeof v !== "object") return v;
    if (Array.isArray(v)) return v.map(value);
    const json = (v as { _json?: FhirResource })._json;
    if (json) return `${json.resourceType}/${json.id}`;
    if (Object.getPrototypeOf(v) === Object.prototype) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, value(x)]));
    return String(v);
  };
  return Object.fromEntries(
    Object.entries(patientResults).map(([id, statements]) => [id, Object.fromEntries(Object.entries(statements).filter(([name]) => name !== "Patient").map(([k, v]) => [k, value(v)]))]),
  );
}
