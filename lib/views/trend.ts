import type { ReportableRow } from "../measures";

/** The rate a trend chart plots for a month: none while more of its units are still pending
 *  (window open) than counted — such an early sample is small and unrepresentative. Tables
 *  show every month's rate. */
export function plottedRate(row: ReportableRow): number | null {
  return row.pending !== null && row.denominator !== null && row.pending > row.denominator ? null : row.rate;
}
