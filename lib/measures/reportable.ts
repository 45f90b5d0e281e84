import { suppressBreakdown, suppressSingle, type Visibility } from "../stats/suppression";
import type { MeasureFlag, MeasureResult, MeasureRow, ReportableResult, ReportableRow } from "./types";

const ALL_SHOWN: Visibility = { denominator: "shown", numerator: "shown", pending: "shown", rateHidden: false };

/**
 * A measure result as a viewer may see it: with `suppress`, small cells are hidden (SPEC
 * section 5) by nulling the numbers themselves, so nothing hidden can leak to a browser or a
 * file; without, every number is kept. Screen and CSV both go through here.
 */
export function toReportable(result: MeasureResult, suppress: boolean): ReportableResult {
  if (!suppress) {
    return { query: result.query, suppressed: false, rows: result.rows.map((r) => hide(r, ALL_SHOWN)), total: hide(result.total, ALL_SHOWN) };
  }
  const visibility = suppressBreakdown(result.rows);
  return {
    query: result.query,
    suppressed: true,
    rows: result.rows.map((r, i) => hide(r, visibility[i]!)),
    total: hide(result.total, suppressSingle(result.total)),
  };
}

function hide(row: MeasureRow, v: Visibility): ReportableRow {
  const anyHidden = v.rateHidden || v.denominator !== "shown" || v.numerator !== "shown" || v.pending !== "shown";
  const flags: MeasureFlag[] = anyHidden ? [...row.flags, "suppressed"] : row.flags;
  return {
    ...row,
    denominator: v.denominator === "shown" ? row.denominator : null,
    numerator: v.numerator === "shown" ? row.numerator : null,
    pending: v.pending === "shown" ? row.pending : null,
    rate: v.rateHidden ? null : row.rate,
    ciLow: v.rateHidden ? null : row.ciLow,
    ciHigh: v.rateHidden ? null : row.ciHigh,
    flags,
    visibility: { denominator: v.denominator, numerator: v.numerator, pending: v.pending, rateHidden: v.rateHidden },
  };
}
