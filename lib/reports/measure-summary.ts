import { CAPTURE_DAYS, FRACTURE_FOLLOW_UP_DAYS } from "../derive/codes";
import { NO_NPI_LABEL } from "../measures/ordering-npi";
import type { GroupBy, MeasureKey, ReportableResult, ReportableRow } from "../measures/types";
import { UNKNOWN_PLAN_NAME } from "../format";
import { countCell, dateCell, integerCell, rateCell, textCell } from "./cells";

// measure-summary.csv (SPEC section 7): one row per group of getMeasure's breakdown, then the
// total. Every number is getMeasure's, suppressed as the viewer and request require.

export const MEASURE_SUMMARY_COLUMNS = [
  "measure",
  "period_start",
  "period_end",
  "payer",
  "plan",
  "product_line",
  "month",
  "denominator",
  "numerator",
  "rate",
  "ci_low",
  "ci_high",
  "pending",
  "window_days",
  "as_of",
  "flags",
] as const;

/** The columns of a file: the sixteen above, and with groupBy=ordering_npi a seventeenth,
 *  `ordering_npi`, after `flags` (SPEC section 7), so that every other file keeps its shape. */
export function measureSummaryColumns(groupBy: GroupBy): readonly string[] {
  return groupBy === "ordering_npi" ? [...MEASURE_SUMMARY_COLUMNS, "ordering_npi"] : MEASURE_SUMMARY_COLUMNS;
}

/** A dimension the row is not grouped on. */
export const ALL = "All";
/** The plan and product line of what no plan could be attributed to (D7): the same word as on
 *  screen (lib/format.ts). */
export const UNKNOWN = UNKNOWN_PLAN_NAME;
export const UNKNOWN_PAYER_NAME = "Unknown payer";

/** The window each measure's maturity is judged by: W for follow-up and its result, 14 days
 *  for capture, 180 days after a fracture; screening has none (it looks back, not forward). */
export function measureWindowDays(measure: MeasureKey, window: number): number | null {
  switch (measure) {
    case "order_follow_up":
    case "result_documented":
      return window;
    case "order_capture":
      return CAPTURE_DAYS;
    case "post_fracture":
      return FRACTURE_FOLLOW_UP_DAYS;
    case "screening_ordering":
    case "cms249_dxa_overuse":
      return null;
  }
}

type Dimensions = { payer: string; plan: string; productLine: string; month: string };

/** What the rows of a file cover, for the dimensions they are not grouped on (SPEC section 7):
 *  `All`, or the filter's values joined by `;` (payer and plan names, product lines), so that
 *  a file read on its own says what it covers. */
export type Coverage = Dimensions;

export const ALL_COVERED: Coverage = { payer: ALL, plan: ALL, productLine: ALL, month: ALL };

/** The dimension cells of a group row: the grouped dimensions named (for `plan` its payer
 *  too), the others as the file covers them. The unattributed row is under `Unknown payer`,
 *  and its grouped plan or product line reads `Unknown`. */
export function rowDimensions(row: ReportableRow, groupBy: GroupBy, covered: Coverage = ALL_COVERED): Dimensions {
  const dims: Dimensions = { ...covered };
  if (row.unattributed) dims.payer = row.payerName ?? UNKNOWN_PAYER_NAME;
  switch (groupBy) {
    case "payer":
      dims.payer = row.payerName ?? row.payerKey ?? UNKNOWN_PAYER_NAME;
      break;
    case "plan":
      dims.payer = row.payerName ?? row.payerKey ?? UNKNOWN_PAYER_NAME;
      dims.plan = row.unattributed ? UNKNOWN : (row.planName ?? row.planId ?? UNKNOWN);
      break;
    case "product_line":
      dims.productLine = row.unattributed ? UNKNOWN : (row.productLine ?? UNKNOWN);
      break;
    case "month":
      dims.month = row.month ?? ALL;
      break;
    case "ordering_npi":
      // The NPI has a column of its own (measureSummaryColumns); the others read as covered.
      break;
  }
  return dims;
}

/** The ordering_npi cell: the NPI, `No NPI recorded` on the row of the orders that name none,
 *  `All` on the total and benchmark rows. */
export function orderingNpiCell(row: Pick<ReportableRow, "orderingNpi">): string {
  if (row.orderingNpi === undefined) return ALL;
  return row.orderingNpi ?? NO_NPI_LABEL;
}

/** The data rows of measure-summary.csv for a getMeasure result: groups, then the total; for
 *  a payer-scoped viewer, then the all-payer benchmark (SPEC section 10), whose payer and plan
 *  read `All`. */
export function measureSummaryRecords(result: ReportableResult, covered: Coverage = ALL_COVERED, benchmark: ReportableRow | null = null): string[][] {
  const { query } = result;
  const windowDays = measureWindowDays(query.measure, query.window);
  const byNpi = query.groupBy === "ordering_npi";
  const record = (row: ReportableRow, dims: Dimensions): string[] => [
    textCell(query.measure),
    dateCell(query.from),
    dateCell(query.to),
    textCell(dims.payer),
    textCell(dims.plan),
    textCell(dims.productLine),
    textCell(dims.month),
    countCell(row.denominator, row.visibility.denominator),
    countCell(row.numerator, row.visibility.numerator),
    rateCell(row.rate),
    rateCell(row.ciLow),
    rateCell(row.ciHigh),
    countCell(row.pending, row.visibility.pending),
    integerCell(windowDays),
    dateCell(query.asOf),
    textCell(row.flags.join(";")),
    ...(byNpi ? [textCell(orderingNpiCell(row))] : []),
  ];
  const records = [...result.rows.map((row) => record(row, rowDimensions(row, query.groupBy, covered))), record(result.total, covered)];
  if (benchmark) records.push(record(benchmark, { ...covered, payer: ALL, plan: ALL }));
  return records;
}
