import type { PatientPopulations } from "./engine-core.mjs";
import type { MeasurementPeriod } from "./fhir";

/*
 * MeasureReports as FHIR R4's Clinical Reasoning module defines them
 * (https://hl7.org/fhir/R4/measurereport.html): status, type, measure (canonical) and period
 * are required; a report about one patient is `individual` and names her as `subject`; a group
 * lists each population with its code from
 * http://terminology.hl7.org/CodeSystem/measure-population and its count, and a summary carries
 * the group's score. Plain JSON, no framework: the API route serialises it as
 * application/fhir+json.
 */

export const MEASURE_POPULATION_SYSTEM = "http://terminology.hl7.org/CodeSystem/measure-population";
export const IMPROVEMENT_NOTATION_SYSTEM = "http://terminology.hl7.org/CodeSystem/measure-improvement-notation";

export type PopulationCode = "initial-population" | "denominator" | "denominator-exclusion" | "numerator" | "numerator-exclusion";

/** The populations' display names, as the FHIR measure-population code system gives them. */
export const POPULATION_DISPLAY: Record<PopulationCode, string> = {
  "initial-population": "Initial Population",
  denominator: "Denominator",
  "denominator-exclusion": "Denominator Exclusion",
  numerator: "Numerator",
  "numerator-exclusion": "Numerator Exclusion",
};

export interface MeasureReportPopulation {
  code: { coding: { system: string; code: PopulationCode; display: string }[] };
  count: number;
}

export interface MeasureReport {
  resourceType: "MeasureReport";
  status: "complete";
  type: "individual" | "summary";
  measure: string;
  subject?: { reference: string };
  date?: string;
  period: { start: string; end: string };
  improvementNotation: { coding: { system: string; code: "increase" | "decrease" }[] };
  group: {
    id?: string;
    population: MeasureReportPopulation[];
    measureScore?: { value: number };
  }[];
}

export interface PopulationCounts {
  initialPopulation: number;
  denominator: number;
  denominatorExclusion: number;
  numerator: number;
  numeratorExclusion: number;
}

interface ReportContext {
  /** The Measure's canonical URL (`url|version` for CMS249). */
  measure: string;
  period: MeasurementPeriod;
  /** When the report was made (ISO dateTime); passed in so that tests can fix it. */
  date?: string;
  groupId?: string;
}

/** A patient's report: each population's count is 1 when she is in it, else 0. No score: a
 *  proportion of one patient says nothing the counts do not. */
export function individualMeasureReport(context: ReportContext & { patientId: string; populations: PatientPopulations }): MeasureReport {
  const p = context.populations;
  return {
    ...header(context, "individual", "decrease"),
    subject: { reference: `Patient/${context.patientId}` },
    group: [
      {
        ...(context.groupId ? { id: context.groupId } : {}),
        population: cms249Populations({
          initialPopulation: Number(p.initialPopulation),
          denominator: Number(p.denominator),
          denominatorExclusion: Number(p.denominatorExclusion),
          numerator: Number(p.numerator),
          numeratorExclusion: Number(p.numeratorExclusion),
        }),
      },
    ],
  } satisfies MeasureReport;
}

/** Counts over patients: how many are in each population. */
export function countPopulations(populations: Iterable<PatientPopulations>): PopulationCounts {
  const counts: PopulationCounts = { initialPopulation: 0, denominator: 0, denominatorExclusion: 0, numerator: 0, numeratorExclusion: 0 };
  for (const p of populations) {
    counts.initialPopulation += Number(p.initialPopulation);
    counts.denominator += Number(p.denominator);
    counts.denominatorExclusion += Number(p.denominatorExclusion);
    counts.numerator += Number(p.numerator);
    counts.numeratorExclusion += Number(p.numeratorExclusion);
  }
  return counts;
}

/** CMS249's rate: (numerator − numerator exclusions) ÷ (denominator − denominator exclusions);
 *  null ("not available") when that denominator is 0. */
export function cms249Score(counts: PopulationCounts): number | null {
  const denominator = counts.denominator - counts.denominatorExclusion;
  return denominator > 0 ? (counts.numerator - counts.numeratorExclusion) / denominator : null;
}

/** CMS249's summary report over everyone in scope. Lower is better (an inverse measure). */
export function summaryMeasureReport(context: ReportContext & { counts: PopulationCounts }): MeasureReport {
  const score = cms249Score(context.counts);
  return {
    ...header(context, "summary", "decrease"),
    group: [
      {
        ...(context.groupId ? { id: context.groupId } : {}),
        population: cms249Populations(context.counts),
        ...(score === null ? {} : { measureScore: { value: score } }),
      },
    ],
  } satisfies MeasureReport;
}

/** The summary report of one of our own proportion measures (SPEC section 5): the denominator
 *  is its population (pending units are left out of both counts, as on the pages) and the score
 *  numerator ÷ denominator, absent when the denominator is 0. */
export function proportionSummaryReport(
  context: ReportContext & { denominator: number; numerator: number; improvementNotation: "increase" | "decrease" },
): MeasureReport {
  const { denominator, numerator } = context;
  if (!Number.isInteger(denominator) || !Number.isInteger(numerator) || numerator < 0 || numerator > denominator) {
    throw new Error(`proportion counts must be integers with 0 ≤ numerator ≤ denominator: ${numerator} / ${denominator}`);
  }
  return {
    ...header(context, "summary", context.improvementNotation),
    group: [
      {
        ...(context.groupId ? { id: context.groupId } : {}),
        population: [population("initial-population", denominator), population("denominator", denominator), population("numerator", numerator)],
        ...(denominator > 0 ? { measureScore: { value: numerator / denominator } } : {}),
      },
    ],
  } satisfies MeasureReport;
}

function header(context: ReportContext, type: "individual" | "summary", improvement: "increase" | "decrease") {
  return {
    resourceType: "MeasureReport" as const,
    status: "complete" as const,
    type,
    measure: context.measure,
    ...(context.date ? { date: context.date } : {}),
    period: { start: context.period.start, end: context.period.end },
    improvementNotation: { coding: [{ system: IMPROVEMENT_NOTATION_SYSTEM, code: improvement }] },
  };
}

function cms249Populations(counts: PopulationCounts): MeasureReportPopulation[] {
  return [
    population("initial-population", counts.initialPopulation),
    population("denominator", counts.denominator),
    population("denominator-exclusion", counts.denominatorExclusion),
    population("numerator", counts.numerator),
    population("numerator-exclusion", counts.numeratorExclusion),
  ];
}

function population(code: PopulationCode, count: number): MeasureReportPopulation {
  return { code: { coding: [{ system: MEASURE_POPULATION_SYSTEM, code, display: POPULATION_DISPLAY[code] }] }, count };
}
