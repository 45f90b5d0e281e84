// CMS249 (Appropriate DXA Scans for Women Under 65), the official eCQM, computed from stored FHIR
// resources with fqm-execution. See docs/cms249.md.
export { CMS249_KEY, MEASURE_BUNDLE_PATH, loadMeasurePackage, type MeasurePackage } from "./package";
export type { FhirResource, MeasurementPeriod, PatientBundle } from "./fhir";
export { buildPatientBundle, groupByPatient, subjectPatientId, type PatientResources } from "./bundle";
export { BMI_PROFILE, PROFILE_RULES, conformingProfiles, isBmiObservation, tagWithProfiles } from "./profiles";
export { initialPopulationBirthDates, mayBeInInitialPopulation, mayBeInInitialPopulationSql } from "./prefilter";
export { MemoryEvaluationCache, evaluationKey, type EvaluationCache } from "./cache";
export {
  DEFAULT_BATCH_SIZE,
  NO_POPULATIONS,
  evaluatePatient,
  evaluatePatients,
  runCms249,
  type Cms249Run,
  type EvaluateOptions,
  type PatientPopulations,
  type PatientResult,
} from "./evaluate";
export { Cms249WorkerPool } from "./workers";
export { listCandidatePatientIds, readStoredPatients } from "./store";
export {
  cms249Score,
  countPopulations,
  individualMeasureReport,
  proportionSummaryReport,
  summaryMeasureReport,
  type MeasureReport,
  type PopulationCounts,
} from "./measure-report";
