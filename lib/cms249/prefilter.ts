import { sql, type SQL } from "drizzle-orm";
import type { FhirResource, MeasurementPeriod } from "./fhir";

/*
 * Which patients can possibly be in CMS249's initial population, decided from the Patient alone.
 *
 * The initial population is
 *   AgeInYearsAt(date from start of "Measurement Period") in Interval[50, 63]
 *     and Patient.gender = 'female' and exists "Qualifying Encounter"
 * — a conjunction, so a patient failing either of the first two terms is out whatever else she
 * has, and evaluating her is wasted work (the engine costs milliseconds a patient; most of two
 * million members are men, children or over 63).
 *
 * - `Patient.gender = 'female'` is a string equality on the code as written: a Patient whose
 *   gender is anything else, or absent (null, so the conjunction is not true), is out.
 * - Age 50–63 in completed years on the period's first day S means a birth date in
 *   [S − 64 years + 1 day, S − 50 years]. The window is widened by two days at each end, so the
 *   exact counting of a 29 February birthday and any time-zone reading of S cannot matter; it
 *   keeps a few extra patients the engine then rules out.
 * - No birth date: the age is null and the patient is out. A partial one ("1970", "1970-05"):
 *   kept when any day it may stand for is in the window. Anything that is not a date of those
 *   shapes is kept, for the engine to judge.
 *
 * So the filter only removes patients for whom the engine's initial population is provably not
 * true; the tests check this against the engine itself around every boundary. The same rule is
 * given as SQL for the stored Patients (`mayBeInInitialPopulationSql`), written to give the
 * same answer as the function: both compare the birth date as text, a partial date being
 * completed to its last possible day ("1970" → "1970-12-31", "1970-05" → "1970-05-31") for the
 * lower bound and compared as written (it sorts before every full date of its year or month)
 * for the upper.
 */

export const BIRTH_DATE_MARGIN_DAYS = 2;
const AGE_MIN = 50;
const AGE_MAX = 63;
const DATE_SHAPE = /^\d{4}(-\d{2}(-\d{2})?)?$/;

export interface BirthDateWindow {
  /** Earliest birth date kept (inclusive). */
  earliest: string;
  /** Latest birth date kept (inclusive). */
  latest: string;
}

/** Birth dates of the patients kept for a period: the exact 50–63 window, widened. */
export function initialPopulationBirthDates(period: MeasurementPeriod): BirthDateWindow {
  const start = period.start;
  return {
    earliest: addDays(addYears(start, -(AGE_MAX + 1)), 1 - BIRTH_DATE_MARGIN_DAYS),
    latest: addDays(addYears(start, -AGE_MIN), BIRTH_DATE_MARGIN_DAYS),
  };
}

/** False only when the engine cannot put this Patient in the initial population. */
export function mayBeInInitialPopulation(patient: FhirResource, period: MeasurementPeriod): boolean {
  if (patient.resourceType !== "Patient" || patient.gender !== "female") return false;
  const birthDate = patient.birthDate;
  if (birthDate === undefined || birthDate === null) return false;
  if (typeof birthDate !== "string" || !DATE_SHAPE.test(birthDate)) return true;
  const window = initialPopulationBirthDates(period);
  return birthDate <= window.latest && latestDayOf(birthDate) >= window.earliest;
}

/** The same rule over a Patient's JSON in the database (`resource` is a `jsonb` expression, e.g.
 *  the column of `fhir_resources`). */
export function mayBeInInitialPopulationSql(resource: SQL, period: MeasurementPeriod): SQL {
  const window = initialPopulationBirthDates(period);
  const birthDate = sql`(${resource} ->> 'birthDate')`;
  return sql`((${resource} ->> 'gender') = 'female' AND ${birthDate} IS NOT NULL AND (
    ${birthDate} !~ '^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$'
    OR (${birthDate} <= ${window.latest}
        AND ${birthDate} || substr('-12-31', length(${birthDate}) - 3) >= ${window.earliest})))`;
}

/** "1970" → "1970-12-31", "1970-05" → "1970-05-31" (a bound, not always a real day),
 *  "1970-05-17" → itself. */
function latestDayOf(date: string): string {
  return date + "-12-31".slice(date.length - 4);
}

function addYears(date: string, years: number): string {
  const [y, m, d] = date.split("-").map(Number) as [number, number, number];
  // 29 February in a year without one becomes 1 March; the margin absorbs the day.
  return iso(new Date(Date.UTC(y + years, m - 1, d)));
}

function addDays(date: string, days: number): string {
  const [y, m, d] = date.split("-").map(Number) as [number, number, number];
  return iso(new Date(Date.UTC(y, m - 1, d + days)));
}

function iso(date: Date): string {
  return date.toISOString().slice(0, 10);
}
