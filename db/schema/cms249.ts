import { boolean, date, index, integer, pgTable, primaryKey, text, timestamp } from "drizzle-orm/pg-core";
import { identifier } from "./identifier";

// CMS249 (SPEC section 5b), evaluated from the stored FHIR resources by lib/cms249 and kept per
// measurement period: a patient's populations depend only on her resources and the period (the
// CQL reads no Now()), not on the claims' as-of date, so these tables have no as_of column and a
// snapshot's eviction leaves them alone. The number of periods kept is bounded
// (lib/cms249/results.ts): a page asking for a new period evaluates it once, under a lock, and
// the period evaluated longest ago is dropped past the bound (SPEC section 11).

/** The periods evaluated, and the FHIR data they were evaluated on. */
export const cms249Periods = pgTable("cms249_periods", {
  periodStart: date("period_start", { mode: "string" }).notNull(),
  periodEnd: date("period_end", { mode: "string" }).notNull(),
  /** The greatest import_batch_id of fhir_resources when the period was evaluated: a resource
   *  written by a later import marks its patient for evaluation again. */
  fhirBatchId: integer("fhir_batch_id").notNull(),
  /** When it was evaluated (or brought up to date after an import); the period evaluated
   *  longest ago is the one dropped past the bound. A read never writes here. */
  evaluatedAt: timestamp("evaluated_at", { withTimezone: true }).notNull(),
  /** Candidate patients (prefilter) evaluated or reused, and those the engine failed on. */
  patients: integer("patients").notNull(),
  errors: integer("errors").notNull(),
}, (t) => [primaryKey({ columns: [t.periodStart, t.periodEnd] })]);

/** One row per candidate patient of a period (the prefilter's; any other patient is in no
 *  population): her populations, and the key of what the engine was given (lib/cms249/cache.ts),
 *  so that a patient whose changed resources give the same bundle is not evaluated again. */
export const cms249Results = pgTable(
  "cms249_results",
  {
    periodStart: date("period_start", { mode: "string" }).notNull(),
    periodEnd: date("period_end", { mode: "string" }).notNull(),
    patientId: identifier("patient_id").notNull(),
    evaluationKey: text("evaluation_key"),
    initialPopulation: boolean("initial_population").notNull(),
    denominator: boolean("denominator").notNull(),
    denominatorExclusion: boolean("denominator_exclusion").notNull(),
    numerator: boolean("numerator").notNull(),
    numeratorExclusion: boolean("numerator_exclusion").notNull(),
    /** The engine's message when it failed on this patient (then in no population). */
    error: text("error"),
  },
  (t) => [
    // The measure's counts read a period's rows; a subject report reads one patient's.
    primaryKey({ columns: [t.periodStart, t.periodEnd, t.patientId] }),
    // The evaluation cache: a bundle already evaluated for the period, by its key.
    index("cms249_results_key_idx").on(t.evaluationKey),
  ],
);
