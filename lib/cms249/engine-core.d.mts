import type { MeasurementPeriod, PatientBundle } from "./fhir";

export interface PatientPopulations {
  initialPopulation: boolean;
  denominator: boolean;
  denominatorExclusion: boolean;
  numerator: boolean;
  numeratorExclusion: boolean;
}

/** One patient's outcome: her populations, or why the engine could not compute them. */
export type PatientResult = { patientId: string; populations: PatientPopulations } | { patientId: string; error: string };

export function evaluateBundles(measureBundle: unknown, bundles: readonly PatientBundle[], period: MeasurementPeriod): Promise<PatientResult[]>;
