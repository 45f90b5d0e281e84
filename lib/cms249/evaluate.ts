import { buildPatientBundle, patientIdOf, type PatientResources } from "./bundle";
import { evaluationKey, type EvaluationCache } from "./cache";
import { evaluateBundles, type PatientPopulations, type PatientResult as EngineResult } from "./engine-core.mjs";
import { assertPeriod, type MeasurementPeriod, type PatientBundle } from "./fhir";
import { loadMeasurePackage, type MeasurePackage } from "./package";
import { mayBeInInitialPopulation } from "./prefilter";
import { assertProfilesCovered } from "./profiles";
import type { Cms249WorkerPool } from "./workers";

export type { PatientPopulations } from "./engine-core.mjs";

/** A patient's populations (or the engine's error), with the evaluation key (`cache.ts`) of the
 *  bundle evaluated when a cache was given, so that a store can keep it beside the result. */
export type PatientResult = EngineResult & { evaluationKey?: string };

/** Patients per engine call: the engine prepares the measure once per call, so larger batches
 *  amortise it; 100 is past the point where that matters (measured). */
export const DEFAULT_BATCH_SIZE = 100;

export const NO_POPULATIONS: PatientPopulations = Object.freeze({
  initialPopulation: false,
  denominator: false,
  denominatorExclusion: false,
  numerator: false,
  numeratorExclusion: false,
});

export interface EvaluateOptions {
  /** Worker threads to run the batches on; in this thread when absent. */
  pool?: Cms249WorkerPool;
  batchSize?: number;
  measurePackage?: MeasurePackage;
}

/** CMS249's populations for each patient bundle (tagged, as `buildPatientBundle` makes them), in
 *  the order given. Batches run in this thread, or concurrently on the pool's workers. */
export async function evaluatePatients(bundles: readonly PatientBundle[], period: MeasurementPeriod, options: EvaluateOptions = {}): Promise<PatientResult[]> {
  assertPeriod(period);
  const pkg = options.measurePackage ?? loadMeasurePackage();
  assertProfilesCovered(pkg.retrievedProfiles);
  const seen = new Set<string>();
  for (const bundle of bundles) {
    const id = patientIdOf(bundle);
    if (seen.has(id)) throw new Error(`CMS249: patient ${id} appears twice in one evaluation`);
    seen.add(id);
  }
  const batchSize = Math.max(1, options.batchSize ?? DEFAULT_BATCH_SIZE);
  const batches: PatientBundle[][] = [];
  for (let i = 0; i < bundles.length; i += batchSize) batches.push(bundles.slice(i, i + batchSize));
  const pool = options.pool;
  if (pool) return (await Promise.all(batches.map((batch) => pool.evaluate(batch, period)))).flat();
  const results: PatientResult[] = [];
  for (const batch of batches) results.push(...(await evaluateBundles(pkg.bundle, batch, period)));
  return results;
}

export interface Cms249Run {
  /** Populations of every patient read, in the order read (empty when `onResults` takes them).
   *  A patient the prefilter ruled out is in no population. */
  results: PatientResult[];
  stats: {
    patients: number;
    /** Ruled out from the Patient alone (`prefilter.ts`), not evaluated. */
    prefiltered: number;
    /** Unchanged since an earlier evaluation: taken from the cache. */
    reused: number;
    evaluated: number;
    errors: number;
  };
}

/**
 * The whole evaluation over a stream of patients' stored resources: prefilter, tag, look up
 * unchanged patients in the cache, evaluate the rest in batches (on the pool when given) and
 * remember their results. Patients are read `chunkSize` at a time, so memory follows the chunk,
 * not the member count.
 */
export async function runCms249(
  source: AsyncIterable<PatientResources> | Iterable<PatientResources>,
  period: MeasurementPeriod,
  options: EvaluateOptions & {
    cache?: EvaluationCache;
    chunkSize?: number;
    /** Receives each chunk's results (to store them) instead of the run holding them all. */
    onResults?: (results: PatientResult[]) => Promise<void> | void;
  } = {},
): Promise<Cms249Run> {
  assertPeriod(period);
  const pkg = options.measurePackage ?? loadMeasurePackage();
  assertProfilesCovered(pkg.retrievedProfiles);
  const chunkSize = options.chunkSize ?? (options.batchSize ?? DEFAULT_BATCH_SIZE) * Math.max(1, options.pool?.size ?? 1) * 4;
  const run: Cms249Run = { results: [], stats: { patients: 0, prefiltered: 0, reused: 0, evaluated: 0, errors: 0 } };
  let chunk: PatientResources[] = [];
  const flush = async () => {
    if (chunk.length === 0) return;
    const results = await evaluateChunk(chunk, period, pkg, options, run);
    chunk = [];
    if (options.onResults) await options.onResults(results);
    else run.results.push(...results);
  };
  for await (const patient of source) {
    chunk.push(patient);
    if (chunk.length >= chunkSize) await flush();
  }
  await flush();
  return run;
}

async function evaluateChunk(
  chunk: PatientResources[],
  period: MeasurementPeriod,
  pkg: MeasurePackage,
  options: EvaluateOptions & { cache?: EvaluationCache },
  run: Cms249Run,
): Promise<PatientResult[]> {
  if (chunk.length === 0) return [];
  const slots: (PatientResult | undefined)[] = new Array(chunk.length);
  const pending: { index: number; bundle: PatientBundle; key?: string }[] = [];
  chunk.forEach((patient, index) => {
    run.stats.patients++;
    const resource = patient.resources.find((r) => r.resourceType === "Patient" && r.id === patient.patientId);
    if (!resource) {
      slots[index] = { patientId: patient.patientId, error: "no Patient resource with this id among the patient's resources" };
      return;
    }
    if (!mayBeInInitialPopulation(resource, period)) {
      run.stats.prefiltered++;
      slots[index] = { patientId: patient.patientId, populations: NO_POPULATIONS };
      return;
    }
    let bundle: PatientBundle;
    try {
      bundle = buildPatientBundle(patient.resources, pkg);
    } catch (error) {
      slots[index] = { patientId: patient.patientId, error: error instanceof Error ? error.message : String(error) };
      return;
    }
    pending.push({ index, bundle, key: options.cache ? evaluationKey(bundle, period, pkg) : undefined });
  });
  const cached = options.cache ? await options.cache.getMany(pending.map((p) => p.key!)) : new Map<string, PatientPopulations>();
  const toEvaluate = pending.filter((p) => {
    const hit = p.key !== undefined ? cached.get(p.key) : undefined;
    if (hit) {
      run.stats.reused++;
      slots[p.index] = { patientId: chunk[p.index]!.patientId, populations: hit, evaluationKey: p.key };
    }
    return !hit;
  });
  const evaluated = await evaluatePatients(
    toEvaluate.map((p) => p.bundle),
    period,
    options,
  );
  const fresh: [string, PatientPopulations][] = [];
  evaluated.forEach((result, i) => {
    const p = toEvaluate[i]!;
    slots[p.index] = p.key === undefined ? result : { ...result, evaluationKey: p.key };
    run.stats.evaluated++;
    if ("populations" in result && p.key !== undefined) fresh.push([p.key, result.populations]);
  });
  if (options.cache && fresh.length > 0) await options.cache.setMany(fresh);
  const results = slots.filter((r): r is PatientResult => r !== undefined);
  run.stats.errors += results.filter((r) => "error" in r).length;
  return results;
}

/** One patient's populations (for an individual MeasureReport): the same path as a run. */
export async function evaluatePatient(resources: PatientResources, period: MeasurementPeriod, options: EvaluateOptions & { cache?: EvaluationCache } = {}): Promise<PatientResult> {
  const run = await runCms249([resources], period, options);
  return run.results[0]!;
}
