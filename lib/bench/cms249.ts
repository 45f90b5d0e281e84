import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import {
  Cms249WorkerPool,
  MemoryEvaluationCache,
  groupByPatient,
  runCms249,
  type FhirResource,
  type MeasurementPeriod,
  type PatientResources,
  type PatientResult,
} from "../cms249";

// CMS249 throughput (SPEC section 9, issue 15): patients per second through the whole path —
// prefilter, tagging, pruning, cache key, engine — in this thread, on worker threads, and again
// over unchanged data (every result from the cache). The patients are the 27 official test
// cases copied under new ids, each given, with `history`, the clinical history of a real
// Synthea patient (6a4160eb: 59 encounters, 93 medication requests, 62 conditions, 57
// procedures, none of which changes her result) so that the engine sees what a real record
// costs, not a five-resource test case. Read from test/fixtures (cms249 and synthea-bulk-10), so
// run from the repository.

export interface Cms249BenchOptions {
  /** Patients per run (default 400). */
  patients?: number;
  /** Worker threads (default 2). */
  workers?: number;
  /** Give each patient a real history (default true). */
  history?: boolean;
  batchSize?: number;
}

export interface Cms249BenchRun {
  seconds: number;
  patientsPerSecond: number;
  /** CPU time of the whole process (all threads) per patient. On a machine whose cores are
   *  busy with other work, wall time measures the contention; this does not. */
  cpuMsPerPatient: number;
}

export interface Cms249Bench {
  patients: number;
  /** Resources per patient as stored, before pruning. */
  resourcesPerPatient: number;
  singleThread: Cms249BenchRun;
  workers: Cms249BenchRun & { threads: number };
  /** The same patients again, unchanged: every result comes from the cache. */
  unchanged: Cms249BenchRun;
  /** Whether both evaluations gave the same populations for every patient. */
  agree: boolean;
}

const FIXTURES = path.join(process.cwd(), "test", "fixtures", "cms249");
const PERIOD: MeasurementPeriod = { start: "2025-01-01", end: "2025-12-31" };
const HISTORY_PATIENT = "6a4160eb-a793-2f86-2302-378626f46cce";

export async function benchCms249(options: Cms249BenchOptions = {}): Promise<Cms249Bench> {
  const count = options.patients ?? 400;
  const patients = syntheticPatients(count, options.history ?? true);
  const resourcesPerPatient = patients.reduce((n, p) => n + p.resources.length, 0) / patients.length;

  const cache = new MemoryEvaluationCache();
  const single = await timed(() => runCms249(patients, PERIOD, { batchSize: options.batchSize, cache }));
  const unchanged = await timed(() => runCms249(patients, PERIOD, { batchSize: options.batchSize, cache }));
  if (unchanged.value.stats.evaluated !== 0) throw new Error("CMS249 benchmark: unchanged patients were evaluated again");

  const pool = new Cms249WorkerPool({ size: options.workers ?? 2 });
  try {
    // Each worker loads the measure package once; warm it before timing, as a server would be.
    await runCms249(patients.slice(0, pool.size), PERIOD, { pool, batchSize: 1 });
    const parallel = await timed(() => runCms249(patients, PERIOD, { pool, batchSize: options.batchSize }));
    return {
      patients: count,
      resourcesPerPatient: Math.round(resourcesPerPatient),
      singleThread: rate(count, single),
      workers: { threads: pool.size, ...rate(count, parallel) },
      unchanged: rate(count, unchanged),
      agree: same(single.value.results, parallel.value.results),
    };
  } finally {
    await pool.close();
  }
}

function syntheticPatients(count: number, history: boolean): PatientResources[] {
  const casesDir = path.join(FIXTURES, "cases");
  const cases = readdirSync(casesDir)
    .filter((f) => f.endsWith(".json"))
    .sort()
    .map((f) => (JSON.parse(readFileSync(path.join(casesDir, f), "utf8")) as { entry: { resource: FhirResource }[] }).entry.map((e) => e.resource).filter((r) => r.resourceType !== "MeasureReport"));
  const past = history ? syntheaHistory() : [];
  const patients: PatientResources[] = [];
  for (let i = 0; i < count; i++) {
    const base = cases[i % cases.length]!;
    const patientId = `bench-${i}`;
    const oldId = base.find((r) => r.resourceType === "Patient")!.id!;
    const text = JSON.stringify([...base, ...past]).split(oldId).join(patientId).split(HISTORY_PATIENT).join(patientId);
    const resources = (JSON.parse(text) as FhirResource[]).map((r) => (r.resourceType === "Patient" ? r : { ...r, id: `${r.id}-${i}` }));
    patients.push({ patientId, resources });
  }
  return patients;
}

function syntheaHistory(): FhirResource[] {
  const dir = path.join(process.cwd(), "test", "fixtures", "synthea-bulk-10", "data");
  const all = readdirSync(dir)
    .filter((f) => f.endsWith(".ndjson"))
    .flatMap((f) =>
      readFileSync(path.join(dir, f), "utf8")
        .split("\n")
        .filter((l) => l.trim())
        .map((l) => JSON.parse(l) as FhirResource),
    );
  const mine = groupByPatient(all).find((p) => p.patientId === HISTORY_PATIENT);
  if (!mine) throw new Error("CMS249 benchmark: Synthea patient 6a4160eb not found");
  return mine.resources.filter((r) => r.resourceType !== "Patient");
}

async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; seconds: number; cpuSeconds: number }> {
  const started = performance.now();
  const cpu = process.cpuUsage();
  const value = await fn();
  const used = process.cpuUsage(cpu);
  return { value, seconds: (performance.now() - started) / 1000, cpuSeconds: (used.user + used.system) / 1e6 };
}

function rate(patients: number, run: { seconds: number; cpuSeconds: number }): Cms249BenchRun {
  return {
    seconds: Math.round(run.seconds * 100) / 100,
    patientsPerSecond: Math.round((patients / run.seconds) * 10) / 10,
    cpuMsPerPatient: Math.round((run.cpuSeconds / patients) * 10000) / 10,
  };
}

function same(a: PatientResult[], b: PatientResult[]): boolean {
  return a.length === b.length && a.every((r, i) => JSON.stringify(r) === JSON.stringify(b[i]));
}
