import { reportUrl, toMeasureQuery } from "../filters";
import { MEASURE_NAMES } from "../format";
import { getMeasure, isOrderingNpiMeasure, type OrderingNpiMeasure, type ReportableResult, type ReportableRow } from "../measures";
import { isValidNpi } from "../npi";
import type { ViewContext } from "./context";

// "Who orders" on the worklist page (issue 14, item 5): the chosen order-based measure by
// ordering clinician, from the same getMeasure call as measure-summary.csv?groupBy=ordering_npi.

/** Rows shown on the page before "and N more" (the largest denominators); the CSV has them all. */
export const NPI_ROWS_SHOWN = 25;

export type NpiRow = ReportableRow & {
  /** Ten digits and the Luhn check digit right (lib/npi.ts); false for an NPI that is not one
   *  (shown as given, marked, and not a link). Null on the row of orders without an NPI. */
  npiValid: boolean | null;
};

export type OrderingNpiView = {
  measure: OrderingNpiMeasure;
  /** Set when the page's measure has no ordering clinician and follow-up is shown instead. */
  notice: string | null;
  result: ReportableResult;
  /** The rows shown: the first NPI_ROWS_SHOWN NPIs by denominator, the NPI the worklist is
   *  narrowed to if it is further down, and the orders without an NPI. */
  rows: NpiRow[];
  /** NPIs with orders in the period not among `rows`. */
  more: number;
  /** measure-summary.csv by ordering NPI for the same filters (every row). */
  csvUrl: string;
};

export async function getOrderingNpiView(ctx: ViewContext, narrowedTo: string | null = null, limit = NPI_ROWS_SHOWN): Promise<OrderingNpiView> {
  const asked = ctx.filters.measure;
  const measure: OrderingNpiMeasure = isOrderingNpiMeasure(asked) ? asked : "order_follow_up";
  const notice = isOrderingNpiMeasure(asked)
    ? null
    : `${MEASURE_NAMES[asked] ?? asked} has no ordering clinician (it counts ${asked === "post_fracture" ? "fracture episodes" : "members"}, not orders): rates by ordering NPI show ${MEASURE_NAMES[measure]} instead.`;
  const filters = { ...ctx.filters, measure };
  const result = await getMeasure(ctx, toMeasureQuery(filters, ctx.asOf, { groupBy: "ordering_npi" }), { suppress: ctx.suppress });
  const withNpi = result.rows.filter((r) => r.orderingNpi != null);
  const shown = withNpi.filter((r, i) => i < limit || r.orderingNpi === narrowedTo);
  const noNpi = result.rows.filter((r) => r.orderingNpi === null);
  const rows = [...shown, ...noNpi].map((r) => ({ ...r, npiValid: r.orderingNpi == null ? null : isValidNpi(r.orderingNpi) }));
  return {
    measure,
    notice,
    result,
    rows,
    more: withNpi.length - shown.length,
    csvUrl: reportUrl("measure-summary", filters, ctx.dataAsOf, { groupBy: "ordering_npi" }, { bom: "1" }),
  };
}
