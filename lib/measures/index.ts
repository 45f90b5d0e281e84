import { suppressionApplies } from "../access";
import { computeBenchmark, computeMeasure, computeMonthlyByPayer } from "./compute";
import { toReportable } from "./reportable";
import type { MeasureScope } from "./scope";
import type { MeasureQuery, ReportableResult } from "./types";

export * from "./types";
export { computeMeasure, computeMonthlyByPayer } from "./compute";
export { resolveSnapshot } from "./snapshot";
export { toReportable } from "./reportable";
export { groupByApplies, isOrderingNpiMeasure, NO_NPI_LABEL, ORDERING_NPI_MEASURES, UnsupportedGroupByError, type OrderingNpiMeasure } from "./ordering-npi";
export { loadMeasureScope, type MeasureScope } from "./scope";
export * from "./figures";
export { getClaimsLag, isProvisionalMonth, type ClaimsLag, type ClaimsLags } from "./claims-lag";

/** The one entry point of pages and reports for a measure: counts for the viewer's scope,
 *  suppressed as the viewer and the request require. */
export async function getMeasure(scope: MeasureScope, query: MeasureQuery, options: { suppress?: boolean } = {}): Promise<ReportableResult> {
  const result = await computeMeasure(scope, query);
  return toReportable(result, suppressionApplies(scope.viewer, options.suppress ?? false));
}

/** A trend's lines: the measure by month for each payer given, suppressed like `getMeasure`. */
export async function getMonthlyByPayer(
  scope: MeasureScope,
  query: MeasureQuery,
  payerKeys: readonly string[],
  options: { suppress?: boolean } = {},
): Promise<Map<string, ReportableResult>> {
  const results = await computeMonthlyByPayer(scope, query, payerKeys);
  const suppress = suppressionApplies(scope.viewer, options.suppress ?? false);
  return new Map([...results].map(([key, result]) => [key, toReportable(result, suppress)]));
}

export type Benchmark =
  | { available: true; result: ReportableResult }
  /** Withheld from a payer-scoped viewer when a single payer outside their assignment makes
   *  up the rest of it: the benchmark minus their own figures would be that payer's. */
  | { available: false; reason: "single_other_payer" };

/**
 * The all-payer figure of a question (SPEC section 10's benchmark row): every payer and plan,
 * whatever the filters name and the viewer is assigned. Its total, and by month its months,
 * suppressed as the viewer and the request require.
 */
export async function getBenchmark(scope: MeasureScope, query: MeasureQuery, options: { suppress?: boolean } = {}): Promise<Benchmark> {
  const { result, otherPayers } = await computeBenchmark(scope, query);
  if (scope.viewer.payerScope !== null && otherPayers === 1) return { available: false, reason: "single_other_payer" };
  return { available: true, result: toReportable(result, suppressionApplies(scope.viewer, options.suppress ?? false)) };
}
