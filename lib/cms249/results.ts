import { availableParallelism } from "node:os";
import type { Sql } from "@/db/client";
import { activeCoverageJoin } from "../derive/attribution";
import { UNKNOWN_PAYER_KEY } from "../measures/dimensions";
import type { PopulationCounts } from "./measure-report";
import type { EvaluationCache } from "./cache";
import type { PatientPopulations, PatientResult } from "./evaluate";
import { runCms249 } from "./evaluate";
import type { MeasurementPeriod } from "./fhir";
import { NO_POPULATIONS } from "./evaluate";
import { listCandidatePatientIds, readStoredPatients } from "./store";
import { Cms249WorkerPool } from "./workers";

/*
 * CMS249 as a product measure (SPEC section 5b): each period's populations, per candidate
 * patient, kept in cms249_results, so that pages, reports and $evaluate-measure count them in
 * SQL with the attribution of D7 like any other measure.
 *
 * When a period is evaluated:
 * - after an import that brought FHIR resources (lib/import, inside the import's transaction):
 *   every period kept is brought up to date — only the candidates whose resources that import
 *   wrote are read again, and of those only the ones whose tagged bundle changed are evaluated
 *   (the evaluation key is the cache) — and the default period of the overview and the one
 *   before it are evaluated when they are not kept yet;
 * - on the first request for a period not kept (another period chosen on a page, a trend's
 *   rolling months, $evaluate-measure): evaluated once, under a lock, by the request that asks
 *   first; the others wait for it and then read it.
 *
 * Bounded (SPEC section 11: a read never creates what grows without bound): at most
 * MAX_CMS249_PERIODS periods are kept, the one evaluated longest ago dropped first, and one
 * request evaluates at most that many (a ten-year trend's later months beyond it are not
 * available rather than evicting each other). A read of a kept, current period writes nothing.
 */

/** Periods kept: a page's period and the one before it, a trend's 12 rolling months, with room
 *  for a few users' other choices. Each holds one row per candidate patient. */
export const MAX_CMS249_PERIODS = 48;

/** Serialises evaluations across requests, imports and servers (an advisory lock). */
const CMS249_LOCK = 728_402_249;

export type Cms249Status =
  /** No FHIR Patient is stored: the measure is not available, whatever the period. */
  | { fhirData: false }
  | { fhirData: true; batchId: number };

/** Whether FHIR data are loaded, and the latest import that wrote any (the results' version):
 *  a claims refresh leaves CMS249's kept periods current. */
export async function getCms249Status(db: Sql): Promise<Cms249Status> {
  // Read from the import log (a row per import), not by scanning fhir_resources, which every
  // page view would otherwise do: the latest import whose FHIR files (NDJSON, Bundles) made a
  // resource new or changed it is the import_batch_id the changed resources carry.
  const [row] = await db.query<{ batch: number | null; patients: boolean }>(
    `SELECT (SELECT max(b.id) FROM import_batches b
             WHERE b.outcome = 'succeeded'
               AND EXISTS (SELECT 1 FROM jsonb_array_elements(b.files) f
                           WHERE f ->> 'file' ~ '[.](nd)?json$' AND (f ->> 'new')::int + (f ->> 'changed')::int > 0))::int AS batch,
            EXISTS (SELECT 1 FROM fhir_resources WHERE resource_type = 'Patient') AS patients`,
  );
  return row?.patients && row.batch !== null ? { fhirData: true, batchId: row.batch } : { fhirData: false };
}

let sharedPool: Cms249WorkerPool | null | undefined;

/** The server's worker threads for the engine (CMS249_WORKERS, default one per core but one,
 *  at least one); none under the test runner or with CMS249_WORKERS=0: evaluated in this thread. */
export function defaultPool(): Cms249WorkerPool | undefined {
  if (sharedPool === undefined) {
    const configured = process.env.CMS249_WORKERS;
    const size = configured !== undefined && configured !== "" ? Number(configured) : process.env.VITEST ? 0 : Math.max(1, availableParallelism() - 1);
    sharedPool = Number.isInteger(size) && size > 0 ? new Cms249WorkerPool({ size }) : null;
  }
  return sharedPool ?? undefined;
}

export type EnsureOptions = {
  pool?: Cms249WorkerPool | null;
  /** The bound on periods kept; MAX_CMS249_PERIODS unless a test asks for a small one. */
  maxPeriods?: number;
  /** getCms249Status's answer when the caller has it already (one statement fewer a question). */
  status?: Cms249Status;
};

const periodKey = (p: MeasurementPeriod) => `${p.start}|${p.end}`;

/**
 * Makes sure each period is evaluated on the FHIR data as they are now; returns the periods
 * that are (all of them, unless there are more than MAX_CMS249_PERIODS or no FHIR data).
 * Writes only when a period is missing or an import wrote FHIR resources since it was
 * evaluated; must be given the primary (it writes then).
 */
export async function ensureCms249Periods(db: Sql, periods: readonly MeasurementPeriod[], options: EnsureOptions = {}): Promise<MeasurementPeriod[]> {
  const status = options.status ?? (await getCms249Status(db));
  if (!status.fhirData) return [];
  const max = options.maxPeriods ?? MAX_CMS249_PERIODS;
  const wanted = uniquePeriods(periods).slice(0, max);
  if (wanted.length === 0) return [];
  if ((await stalePeriods(db, wanted, status.batchId)).length === 0) return wanted;
  await db.transaction(async (tx) => {
    await tx.query(`SELECT pg_advisory_xact_lock($1)`, [CMS249_LOCK]);
    // Another request may have done it while this one waited for the lock.
    const current = await getCms249Status(tx);
    if (!current.fhirData) return;
    const stale = await stalePeriods(tx, wanted, current.batchId);
    for (const { period, since } of stale) await evaluatePeriod(tx, period, since, current.batchId, options);
    await evictPeriods(tx, wanted, max);
  });
  return wanted;
}

/**
 * After an import that wrote FHIR resources (called inside its transaction, so that a failure
 * or a kill leaves the results as they were): every kept period brought up to date, and the
 * periods given (the default view's) evaluated when they are not kept.
 */
export async function refreshCms249AfterImport(tx: Sql, periods: readonly MeasurementPeriod[], options: EnsureOptions = {}): Promise<void> {
  await tx.query(`SELECT pg_advisory_xact_lock($1)`, [CMS249_LOCK]);
  const status = await getCms249Status(tx);
  if (!status.fhirData) return;
  const kept = await tx.query<{ start: string; end: string }>(
    `SELECT period_start::text AS start, period_end::text AS "end" FROM cms249_periods ORDER BY evaluated_at DESC`,
  );
  const max = options.maxPeriods ?? MAX_CMS249_PERIODS;
  const wanted = uniquePeriods([...periods, ...kept]).slice(0, max);
  for (const { period, since } of await stalePeriods(tx, wanted, status.batchId)) await evaluatePeriod(tx, period, since, status.batchId, options);
  await evictPeriods(tx, uniquePeriods(periods), max);
}

/** Periods not evaluated yet (since null), or evaluated before the latest FHIR import. */
async function stalePeriods(db: Sql, periods: readonly MeasurementPeriod[], batchId: number): Promise<{ period: MeasurementPeriod; since: number | null }[]> {
  const rows = await db.query<{ start: string; end: string; batch: number }>(
    `SELECT period_start::text AS start, period_end::text AS "end", fhir_batch_id AS batch FROM cms249_periods
     WHERE (period_start, period_end) IN (SELECT * FROM unnest($1::text[]::date[], $2::text[]::date[]))`,
    [periods.map((p) => p.start), periods.map((p) => p.end)],
  );
  const kept = new Map(rows.map((r) => [`${r.start}|${r.end}`, r.batch]));
  return periods.flatMap((period): { period: MeasurementPeriod; since: number | null }[] => {
    const batch = kept.get(periodKey(period));
    if (batch === undefined) return [{ period, since: null }];
    return batch < batchId ? [{ period, since: batch }] : [];
  });
}

/**
 * Evaluates one period: every candidate (the prefilter's SQL) when `since` is null, else only
 * the candidates whose stored resources an import after `since` wrote, or that are candidates
 * newly; rows of patients no longer candidates are removed. Unchanged bundles are not evaluated
 * again (the evaluation key, looked up in the period's own rows).
 */
async function evaluatePeriod(tx: Sql, period: MeasurementPeriod, since: number | null, batchId: number, options: EnsureOptions): Promise<void> {
  const candidates = await listCandidatePatientIds(tx, period);
  let toRead = candidates;
  if (since !== null) {
    await tx.query(
      `DELETE FROM cms249_results WHERE period_start = $1::date AND period_end = $2::date AND NOT (patient_id = ANY ($3::text[]))`,
      [period.start, period.end, candidates],
    );
    const [medications] = await tx.query<{ changed: boolean }>(
      `SELECT EXISTS (SELECT 1 FROM fhir_resources WHERE resource_type = 'Medication' AND import_batch_id > $1) AS changed`,
      [since],
    );
    // A changed Medication may be any candidate's (it names no patient): all are read again, and
    // the evaluation key still spares those whose bundle is the same.
    if (!medications?.changed) {
      const rows = await tx.query<{ patient_id: string }>(
        `SELECT c.id AS patient_id FROM unnest($1::text[]) AS c (id)
         WHERE EXISTS (SELECT 1 FROM fhir_resources f WHERE f.patient_id = c.id AND f.import_batch_id > $2)
            OR NOT EXISTS (SELECT 1 FROM cms249_results r WHERE r.period_start = $3::date AND r.period_end = $4::date AND r.patient_id = c.id)`,
        [candidates, since, period.start, period.end],
      );
      toRead = rows.map((r) => r.patient_id);
    }
  }
  await runCms249(readStoredPatients(tx, toRead), period, {
    pool: options.pool === undefined ? defaultPool() : (options.pool ?? undefined),
    cache: periodCache(tx, period),
    onResults: (results) => storeResults(tx, period, results),
  });
  await tx.query(
    `INSERT INTO cms249_periods (period_start, period_end, fhir_batch_id, evaluated_at, patients, errors)
     SELECT $1::date, $2::date, $3, now(), count(*), count(*) FILTER (WHERE error IS NOT NULL)
     FROM cms249_results WHERE period_start = $1::date AND period_end = $2::date
     ON CONFLICT (period_start, period_end) DO UPDATE
       SET fhir_batch_id = EXCLUDED.fhir_batch_id, evaluated_at = EXCLUDED.evaluated_at, patients = EXCLUDED.patients, errors = EXCLUDED.errors`,
    [period.start, period.end, batchId],
  );
}

/** The evaluation cache over a period's own rows: a key names the period too, so any row
 *  holding it has the populations of that very bundle. */
function periodCache(tx: Sql, period: MeasurementPeriod): EvaluationCache {
  return {
    async getMany(keys) {
      if (keys.length === 0) return new Map();
      const rows = await tx.query<{ key: string } & Record<"ip" | "d" | "de" | "n" | "ne", boolean>>(
        `SELECT DISTINCT ON (evaluation_key) evaluation_key AS key, initial_population AS ip, denominator AS d,
           denominator_exclusion AS de, numerator AS n, numerator_exclusion AS ne
         FROM cms249_results
         WHERE evaluation_key = ANY ($1::text[]) AND period_start = $2::date AND period_end = $3::date AND error IS NULL`,
        [keys, period.start, period.end],
      );
      return new Map(
        rows.map((r) => [r.key, { initialPopulation: r.ip, denominator: r.d, denominatorExclusion: r.de, numerator: r.n, numeratorExclusion: r.ne } satisfies PatientPopulations]),
      );
    },
    // Kept by storeResults, beside the patient.
    async setMany() {},
  };
}

async function storeResults(tx: Sql, period: MeasurementPeriod, results: readonly PatientResult[]): Promise<void> {
  if (results.length === 0) return;
  const p = (r: PatientResult) => ("populations" in r ? r.populations : NO_POPULATIONS);
  await tx.query(
    `INSERT INTO cms249_results (period_start, period_end, patient_id, evaluation_key, initial_population, denominator,
       denominator_exclusion, numerator, numerator_exclusion, error)
     SELECT $1::date, $2::date, r.*
     -- Booleans as text: postgres.js sends a JavaScript array of booleans as one boolean.
     FROM unnest($3::text[], $4::text[], $5::text[]::boolean[], $6::text[]::boolean[], $7::text[]::boolean[], $8::text[]::boolean[], $9::text[]::boolean[], $10::text[]) AS r
     ON CONFLICT (period_start, period_end, patient_id) DO UPDATE
       SET evaluation_key = EXCLUDED.evaluation_key, initial_population = EXCLUDED.initial_population, denominator = EXCLUDED.denominator,
           denominator_exclusion = EXCLUDED.denominator_exclusion, numerator = EXCLUDED.numerator,
           numerator_exclusion = EXCLUDED.numerator_exclusion, error = EXCLUDED.error`,
    [
      period.start,
      period.end,
      results.map((r) => r.patientId),
      results.map((r) => r.evaluationKey ?? null),
      results.map((r) => String(p(r).initialPopulation)),
      results.map((r) => String(p(r).denominator)),
      results.map((r) => String(p(r).denominatorExclusion)),
      results.map((r) => String(p(r).numerator)),
      results.map((r) => String(p(r).numeratorExclusion)),
      results.map((r) => ("error" in r ? r.error : null)),
    ],
  );
}

/** Drops the periods evaluated longest ago beyond the bound, never one of `keep`. */
async function evictPeriods(tx: Sql, keep: readonly MeasurementPeriod[], max: number): Promise<void> {
  const stale = await tx.query<{ start: string; end: string }>(
    `SELECT period_start::text AS start, period_end::text AS "end" FROM cms249_periods
     WHERE (period_start, period_end) NOT IN (SELECT * FROM unnest($1::text[]::date[], $2::text[]::date[]))
     ORDER BY evaluated_at DESC, period_end DESC, period_start DESC
     OFFSET greatest(0, $3 - cardinality($1::text[]))`,
    [keep.map((p) => p.start), keep.map((p) => p.end), max],
  );
  if (stale.length === 0) return;
  const starts = stale.map((s) => s.start);
  const ends = stale.map((s) => s.end);
  for (const table of ["cms249_results", "cms249_periods"]) {
    await tx.query(`DELETE FROM ${table} WHERE (period_start, period_end) IN (SELECT * FROM unnest($1::text[]::date[], $2::text[]::date[]))`, [starts, ends]);
  }
}

function uniquePeriods(periods: readonly MeasurementPeriod[]): MeasurementPeriod[] {
  const seen = new Map<string, MeasurementPeriod>();
  for (const p of periods) if (!seen.has(periodKey(p))) seen.set(periodKey(p), { start: p.start, end: p.end });
  return [...seen.values()];
}

/** One patient's kept populations for a period (an individual report; the period ensured
 *  first): a patient who is no candidate is in no population. */
export async function getPatientPopulations(db: Sql, period: MeasurementPeriod, patientId: string): Promise<{ populations: PatientPopulations; error: string | null }> {
  const [row] = await db.query<Record<"ip" | "d" | "de" | "n" | "ne", boolean> & { error: string | null }>(
    `SELECT initial_population AS ip, denominator AS d, denominator_exclusion AS de, numerator AS n, numerator_exclusion AS ne, error
     FROM cms249_results WHERE period_start = $1::date AND period_end = $2::date AND patient_id = $3`,
    [period.start, period.end, patientId],
  );
  if (!row) return { populations: NO_POPULATIONS, error: null };
  return { populations: { initialPopulation: row.ip, denominator: row.d, denominatorExclusion: row.de, numerator: row.n, numeratorExclusion: row.ne }, error: row.error };
}

/** A period's population counts over the patients attributed (D7 at the period end, Unknown
 *  payer without coverage then) to the payers given, or everyone (null). The period must have
 *  been ensured. */
export async function countCms249Populations(db: Sql, period: MeasurementPeriod, payerKeys: readonly string[] | null): Promise<PopulationCounts> {
  const [row] = await db.query<PopulationCounts>(
    `SELECT count(*) FILTER (WHERE r.initial_population)::int AS "initialPopulation",
            count(*) FILTER (WHERE r.denominator)::int AS "denominator",
            count(*) FILTER (WHERE r.denominator_exclusion)::int AS "denominatorExclusion",
            count(*) FILTER (WHERE r.numerator)::int AS "numerator",
            count(*) FILTER (WHERE r.numerator_exclusion)::int AS "numeratorExclusion"
     FROM cms249_results r
     ${activeCoverageJoin("r.patient_id", "$2::date", "cov")}
     LEFT JOIN plans p ON p.plan_id = cov.plan_id
     WHERE r.period_start = $1::date AND r.period_end = $2::date
       AND ($3::text[] IS NULL OR coalesce(p.payer_key, '${UNKNOWN_PAYER_KEY}') = ANY ($3::text[]))`,
    [period.start, period.end, payerKeys ? [...payerKeys] : null],
  );
  return row!;
}
