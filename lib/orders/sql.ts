// SQL pieces shared by the reads of order rows (./index.ts) and of the daily order cube
// (./cube-counts.ts), both aliased `o` with an `order_date` column and the as-of date as $1.

/** A list restriction as a query parameter: null (no restriction) when empty or absent. */
export const nonEmpty = (values: readonly string[] | undefined) => (values && values.length > 0 ? [...values] : null);

/** Age bucket of days since the order on the as-of date ($1). */
export const AGE_BUCKET = `CASE
    WHEN $1::date - o.order_date <= 30 THEN '0-30'
    WHEN $1::date - o.order_date <= 60 THEN '31-60'
    WHEN $1::date - o.order_date <= 90 THEN '61-90'
    WHEN $1::date - o.order_date <= 180 THEN '91-180'
    ELSE 'over_180' END`;
