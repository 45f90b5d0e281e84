import type { Viewer } from "../access";
import { CAPTURE_DAYS } from "../derive/codes";
import { restrictionClause, restrictionParams } from "./restrict";
import type { MeasureScope } from "./scope";
import type { GroupBy, MeasureKey, MeasureQuery } from "./types";

// "Who orders": a measure by ordering clinician (groupBy=ordering_npi, issue 14). Only the
// measures whose units are orders have an ordering NPI (SPEC section 3: orders.csv's
// ordering_npi; a claim-sourced order takes the rendering NPI of its first 3096F line, D3).
// Screening counts women and post-fracture counts episodes: neither has one, and asking is
// refused (a 400 from a report, a notice on a page), never answered with another question.

export const ORDERING_NPI_MEASURES = ["order_follow_up", "result_documented", "order_capture"] as const satisfies readonly MeasureKey[];
export type OrderingNpiMeasure = (typeof ORDERING_NPI_MEASURES)[number];

export const isOrderingNpiMeasure = (measure: string): measure is OrderingNpiMeasure => (ORDERING_NPI_MEASURES as readonly string[]).includes(measure);

/** Whether a measure can be broken down that way: every measure by payer, plan, product line and
 *  month; only the order-based ones by ordering NPI. */
export function groupByApplies(measure: MeasureKey, groupBy: GroupBy): boolean {
  return groupBy !== "ordering_npi" || isOrderingNpiMeasure(measure);
}

/** A breakdown asked of a measure that has no such dimension (screening by ordering NPI). */
export class UnsupportedGroupByError extends Error {
  constructor(
    readonly measure: MeasureKey,
    readonly groupBy: GroupBy,
  ) {
    super(`${measure} cannot be grouped by ${groupBy}: only ${ORDERING_NPI_MEASURES.join(", ")} have an ordering NPI`);
    this.name = "UnsupportedGroupByError";
  }
}

/** What the row of the orders without an NPI is called, on screen and in measure-summary.csv. */
export const NO_NPI_LABEL = "No NPI recorded";

export type NpiCountRow = { ordering_npi: string | null; denominator: number; numerator: number; pending: number };

const MATURE = "o.order_date + $4::int <= $1::date";
const COMPLETED = "o.days_to_scan <= $4::int"; // null (no study on or after the order) is not
const CAPTURE_MATURE = `o.order_date + ${CAPTURE_DAYS} <= $1::date`;

/** Each measure's weights on one live order, as conditions: the same rules as the cubes of
 *  lib/measures/units.ts (SPEC section 5's table), applied to order_facts row by row. */
const WEIGHTS: Record<OrderingNpiMeasure, { orders: string; denominator: string; numerator: string; pending: string }> = {
  order_follow_up: { orders: "true", denominator: MATURE, numerator: `${MATURE} AND ${COMPLETED}`, pending: `NOT (${MATURE})` },
  result_documented: { orders: "true", denominator: `${MATURE} AND ${COMPLETED}`, numerator: `${MATURE} AND ${COMPLETED} AND o.result_documented`, pending: "false" },
  order_capture: { orders: "o.source = 'ehr'", denominator: CAPTURE_MATURE, numerator: `${CAPTURE_MATURE} AND o.captured`, pending: `NOT (${CAPTURE_MATURE})` },
};

/**
 * Counts of an order-based measure per ordering NPI (null: the orders that name none), for the
 * query's filters and the viewer's payer scope: one grouped statement over the snapshot's
 * order_facts for the period (order_facts_period_idx), the same read as the worklist's count.
 * The daily cubes hold no NPI: clinicians are many and each orders a few a day, so a cube by
 * NPI would be about as large as the facts. One row per NPI with a live order of the measure's
 * kind in the period (for capture, an EHR order), so that an NPI whose orders all wait for
 * their window is listed with its pending count.
 */
export async function countByOrderingNpi(scope: Pick<MeasureScope, "db">, viewer: Viewer, query: MeasureQuery): Promise<NpiCountRow[]> {
  if (!isOrderingNpiMeasure(query.measure)) throw new UnsupportedGroupByError(query.measure, query.groupBy);
  const w = WEIGHTS[query.measure];
  return scope.db.query<NpiCountRow>(
    `SELECT nullif(o.ordering_npi, '') AS ordering_npi,
       count(*) FILTER (WHERE ${w.denominator})::int AS denominator,
       count(*) FILTER (WHERE ${w.numerator})::int AS numerator,
       count(*) FILTER (WHERE ${w.pending})::int AS pending
     FROM order_facts o
     -- $4 (W) typed here too: capture does not use it.
     WHERE o.as_of = $1::date AND o.order_date BETWEEN $2::date AND $3::date AND $4::int > 0
       AND o.status <> 'cancelled' AND ${w.orders} AND ${restrictionClause("o")}
     GROUP BY 1`,
    restrictionParams(viewer, query),
  );
}

/** The display order of the rows: the largest denominator first (then pending, then the NPI),
 *  the orders without an NPI last. */
export function compareNpiRows(a: NpiCountRow, b: NpiCountRow): number {
  if ((a.ordering_npi === null) !== (b.ordering_npi === null)) return a.ordering_npi === null ? 1 : -1;
  return b.denominator - a.denominator || b.pending - a.pending || byteOrder(a.ordering_npi ?? "", b.ordering_npi ?? "");
}

const byteOrder = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
