import { payerScopeParam, type Viewer } from "../access";
import { nonEmpty } from "../measures/restrict";
import type { OrderQuery } from "./types";

// SQL pieces shared by the reads of order rows (./index.ts) and of the daily order cube
// (./cube-counts.ts), both aliased `o` with the columns as_of, order_date, payer_key, plan_id
// and product_line.

/** Age bucket of days since the order on the as-of date ($1). */
export const AGE_BUCKET = `CASE
    WHEN $1::date - o.order_date <= 30 THEN '0-30'
    WHEN $1::date - o.order_date <= 60 THEN '31-60'
    WHEN $1::date - o.order_date <= 90 THEN '61-90'
    WHEN $1::date - o.order_date <= 180 THEN '91-180'
    ELSE 'over_180' END`;

/** The conditions an order row and a cube row share: snapshot ($1), period ($2–$3), payers
 *  ($5), plans ($6), product lines ($7), the viewer's payer scope ($8) and age buckets ($10).
 *  $4 is the window W and $9 the statuses, whose condition each reader writes its own way. */
export const SHARED_CONDITIONS = `o.as_of = $1::date AND o.order_date BETWEEN $2::date AND $3::date
        AND ($5::text[] IS NULL OR o.payer_key = ANY ($5::text[]))
        AND ($6::text[] IS NULL OR o.plan_id = ANY ($6::text[]))
        AND ($7::text[] IS NULL OR o.product_line::text = ANY ($7::text[]))
        AND ($8::text[] IS NULL OR o.payer_key = ANY ($8::text[]))
        AND ($10::text[] IS NULL OR ${AGE_BUCKET} = ANY ($10::text[]))`;

/** The parameters $1–$10 of a query for a viewer (see SHARED_CONDITIONS). */
export function sharedParams(viewer: Viewer, q: OrderQuery): unknown[] {
  return [
    q.asOf,
    q.from,
    q.to,
    q.window,
    nonEmpty(q.payers),
    nonEmpty(q.plans),
    nonEmpty(q.productLines),
    payerScopeParam(viewer),
    nonEmpty(q.statuses),
    nonEmpty(q.ageBuckets),
  ];
}
