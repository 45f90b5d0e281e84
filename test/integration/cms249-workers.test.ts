import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  BMI_PROFILE,
  Cms249WorkerPool,
  MemoryEvaluationCache,
  buildPatientBundle,
  evaluatePatients,
  evaluationKey,
  groupByPatient,
  loadMeasurePackage,
  runCms249,
  type FhirResource,
  type PatientResources,
  type PatientResult,
} from "@/lib/cms249";
import { loadOfficialCases, replicateCase } from "@/test/support/cms249-fixtures";

const cases = loadOfficialCases();
const period = cases[0]!.period;
const pkg = loadMeasurePackage();
const COPIES = 6;

/** The 27 official cases, each copied under new ids, with each copy's expected populations. */
const replicas = Array.from({ length: COPIES }, (_, copy) =>
  cases.map((c) => ({ resources: replicateCase(c.resources, `copy${copy}`), expected: c.expected, title: c.title })),
).flat();

describe("CMS249 on worker threads", () => {
  let pool: Cms249WorkerPool;
  beforeAll(() => {
    pool = new Cms249WorkerPool({ size: 2 });
  });
  afterAll(async () => {
    await pool.close();
  });

  it(`gives the same results as in-process, for ${27 * COPIES} patients in batches`, async () => {
    const bundles = replicas.map((r) => buildPatientBundle(r.resources, pkg));
    const inProcess = await evaluatePatients(bundles, period, { batchSize: 40 });
    const onWorkers = await evaluatePatients(bundles, period, { batchSize: 40, pool });
    expect(onWorkers).toEqual(inProcess);
    expect(inProcess).toHaveLength(27 * COPIES);
    inProcess.forEach((result, i) => {
      expect(result, replicas[i]!.title).toEqual({ patientId: expect.stringMatching(/-copy\d$/), populations: replicas[i]!.expected });
    });
  });

  it("isolates a patient the engine fails on: she gets the error, the rest of her batch its results", async () => {
    const broken = replicateCase(cases.find((c) => c.title === "NUMEXPass RiskAssesB4DXAScan")!.resources, "broken");
    // An ORAI score (an integer) falsely tagged as a BMI: the engine fails casting it to a Quantity.
    for (const r of broken) if (r.resourceType === "Observation") r.meta = { profile: [BMI_PROFILE] };
    const fine = replicas.slice(0, 5);
    const bundles = [...fine.slice(0, 2), { resources: broken }, ...fine.slice(2)].map((r) => buildPatientBundle(r.resources, pkg));
    for (const options of [{}, { pool }]) {
      const results = await evaluatePatients(bundles, period, options);
      expect(results.map((r) => "error" in r)).toEqual([false, false, true, false, false, false]);
      expect((results[2] as { error: string }).error).toMatch(/quantity/i);
      expect(results.filter((r): r is Extract<PatientResult, { populations: unknown }> => "populations" in r).map((r) => r.populations)).toEqual(fine.map((f) => f.expected));
    }
  });
});

describe("CMS249 runs over a stream of patients", () => {
  it("hands results over chunk by chunk, and reports a malformed record instead of stopping", async () => {
    const good = groupByPatient(replicas.slice(0, 30).flatMap((r) => r.resources));
    const twoPatients: PatientResources = { patientId: "twice", resources: [{ resourceType: "Patient", id: "twice", gender: "female", birthDate: "1970-01-01" }, { resourceType: "Patient", id: "twice", gender: "female", birthDate: "1970-01-01" }] };
    const noPatient: PatientResources = { patientId: "nobody", resources: [{ resourceType: "Condition", id: "c", subject: { reference: "Patient/nobody" } }] };
    const chunks: number[] = [];
    const received: PatientResult[] = [];
    const run = await runCms249([...good.slice(0, 10), twoPatients, noPatient, ...good.slice(10)], period, {
      chunkSize: 8,
      onResults: (results) => {
        chunks.push(results.length);
        received.push(...results);
      },
    });
    expect(run.results).toEqual([]);
    expect(chunks).toEqual([8, 8, 8, 8]);
    expect(run.stats).toMatchObject({ patients: 32, errors: 2 });
    expect(received.find((r) => r.patientId === "twice")).toEqual({ patientId: "twice", error: "a patient bundle needs exactly one Patient, found 2" });
    expect(received.find((r) => r.patientId === "nobody")).toMatchObject({ error: expect.stringMatching(/no Patient resource/) });
    expect(received.filter((r) => "populations" in r)).toHaveLength(30);
  });
});

describe("CMS249 evaluates again only the patients whose data changed", () => {
  const source = (): PatientResources[] => groupByPatient(replicas.slice(0, 54).flatMap((r) => r.resources));

  it("reuses every unchanged result, and re-evaluates exactly the patient whose resource changed", async () => {
    const cache = new MemoryEvaluationCache();
    const first = await runCms249(source(), period, { cache });
    expect(first.stats).toMatchObject({ patients: 54, reused: 0, errors: 0 });
    expect(first.stats.evaluated).toBe(54 - first.stats.prefiltered);
    expect(cache.size).toBe(first.stats.evaluated);

    const second = await runCms249(source(), period, { cache });
    expect(second.stats).toMatchObject({ reused: first.stats.evaluated, evaluated: 0 });
    expect(second.results).toEqual(first.results);

    // One patient's qualifying encounter moves out of the period: she leaves every population.
    const changed = source();
    const target = changed.find((p) => p.patientId.startsWith("56236023"))!; // IPPass 50FemaleWithQualEnc
    const encounter = target.resources.find((r) => r.resourceType === "Encounter") as FhirResource & { period: { start: string; end: string } };
    encounter.period = { start: "2024-06-01T10:00:00.000Z", end: "2024-06-01T10:15:00.000Z" };
    const third = await runCms249(changed, period, { cache });
    expect(third.stats).toMatchObject({ reused: first.stats.evaluated - 1, evaluated: 1 });
    const before = first.results.find((r) => r.patientId === target.patientId);
    const after = third.results.find((r) => r.patientId === target.patientId);
    expect(before).toMatchObject({ populations: { initialPopulation: true } });
    expect(after).toMatchObject({ populations: { initialPopulation: false, denominator: false } });

    // Another period is another question.
    const nextYear = await runCms249(source(), { start: "2026-01-01", end: "2026-12-31" }, { cache });
    expect(nextYear.stats.reused).toBe(0);
  });

  it("the key ignores the order of resources and of JSON keys, and changes with any value, the period or the package", () => {
    const resources = replicas[0]!.resources;
    const bundle = buildPatientBundle(resources, pkg);
    const key = evaluationKey(bundle, period, pkg);
    const reordered = buildPatientBundle(
      [...resources].reverse().map((r) => Object.fromEntries(Object.entries(r).reverse()) as FhirResource),
      pkg,
    );
    expect(evaluationKey(reordered, period, pkg)).toBe(key);
    const edited = buildPatientBundle(
      resources.map((r) => (r.resourceType === "Patient" ? { ...r, birthDate: "1975-01-02" } : r)),
      pkg,
    );
    expect(evaluationKey(edited, period, pkg)).not.toBe(key);
    expect(evaluationKey(bundle, { start: "2025-01-01", end: "2025-12-30" }, pkg)).not.toBe(key);
    expect(evaluationKey(bundle, period, { ...pkg, sha256: "0".repeat(64) })).not.toBe(key);
  });
});
