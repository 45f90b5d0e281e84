import { restrictionClause, restrictionParams } from "./restrict";
import type { MeasureScope } from "./scope";
import type { MeasureQuery } from "./types";

// The secondary figures of SPEC section 5, by payer and in total, for the same filters as the
// measures. Each is one grouped query over the derived facts of the snapshot.

export type FigureQuery = Omit<MeasureQuery, "measure" | "groupBy">;

/** Who reads, from where: the part of a request's scope the figures need. */
type Reader = Pick<MeasureScope, "db" | "viewer">;

/** `payerKey` null = all payers in the filters. */
type ByPayer<T> = ({ payerKey: string | null } & T)[];

export type DaysToScan = { completed: number; median: number | null; p90: number | null };
export const AGING_BUCKETS = ["0-30", "31-60", "61-90", "91-180", "over_180"] as const;
export type AgingBucket = (typeof AGING_BUCKETS)[number];
export type OpenOrderAging = { open: number; overdue: number; inWindow: number } & Record<AgingBucket, number>;
export type BillingCompleteness = { studies: number; billingComplete: number };
export type DenialShare = { lines: number; denied: number };

const params = restrictionParams;
const RESTRICT = restrictionClause;

const BY_PAYER = "GROUP BY GROUPING SETS ((payer_key), ())";

/** Days from order to scan of completed, mature orders (the follow-up numerator): median and
 *  90th percentile (continuous, as PostgreSQL's percentile_cont). */
export async function getDaysToScan({ db, viewer }: Reader, q: FigureQuery): Promise<ByPayer<DaysToScan>> {
  return db.query(
    `SELECT CASE WHEN GROUPING(payer_key) = 1 THEN NULL ELSE payer_key END AS "payerKey",
       count(*)::int AS completed,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY days_to_scan) AS median,
       percentile_cont(0.9) WITHIN GROUP (ORDER BY days_to_scan) AS p90
     FROM order_facts o
     WHERE o.as_of = $1::date AND o.status <> 'cancelled' AND o.order_date BETWEEN $2::date AND $3::date
       AND o.order_date + $4::int <= $1::date AND o.days_to_scan <= $4::int AND ${RESTRICT("o")}
     ${BY_PAYER}`,
    params(viewer, q),
  );
}

/** The distribution of days to scan of the same orders, one row per day (0…W). */
export async function getDaysToScanDistribution({ db, viewer }: Reader, q: FigureQuery): Promise<{ days: number; orders: number }[]> {
  return db.query(
    `SELECT days_to_scan AS days, count(*)::int AS orders
     FROM order_facts o
     WHERE o.as_of = $1::date AND o.status <> 'cancelled' AND o.order_date BETWEEN $2::date AND $3::date
       AND o.order_date + $4::int <= $1::date AND o.days_to_scan <= $4::int AND ${RESTRICT("o")}
     GROUP BY days_to_scan ORDER BY days_to_scan`,
    params(viewer, q),
  );
}

/** Orders not completed within W (D4 status overdue or in window), by days since the order on
 *  the as-of date. Read from the daily cube (live − done within W, per day), so its cost does not
 *  grow with the number of orders. */
export async function getOpenOrderAging({ db, viewer }: Reader, q: FigureQuery): Promise<ByPayer<OpenOrderAging>> {
  const open = `(live - CASE $4::int WHEN 30 THEN done_30 WHEN 60 THEN done_60 WHEN 90 THEN done_90 ELSE done_180 END)`;
  const sumIf = (condition: string) => `coalesce(sum(${open}) FILTER (WHERE ${condition}), 0)::int`;
  return db.query(
    `SELECT CASE WHEN GROUPING(payer_key) = 1 THEN NULL ELSE payer_key END AS "payerKey",
       coalesce(sum(${open}), 0)::int AS open,
       ${sumIf("order_date + $4::int <= $1::date")} AS overdue,
       ${sumIf("order_date + $4::int > $1::date")} AS "inWindow",
       ${sumIf("$1::date - order_date <= 30")} AS "0-30",
       ${sumIf("$1::date - order_date BETWEEN 31 AND 60")} AS "31-60",
       ${sumIf("$1::date - order_date BETWEEN 61 AND 90")} AS "61-90",
       ${sumIf("$1::date - order_date BETWEEN 91 AND 180")} AS "91-180",
       ${sumIf("$1::date - order_date > 180")} AS over_180
     FROM order_days o
     WHERE o.as_of = $1::date AND o.order_date BETWEEN $2::date AND $3::date AND ${RESTRICT("o")}
     ${BY_PAYER}`,
    params(viewer, q),
  );
}

/** Studies dated in the period, and those billing-complete (a global line, or TC and 26). */
export async function getBillingCompleteness({ db, viewer }: Reader, q: FigureQuery): Promise<ByPayer<BillingCompleteness>> {
  return db.query(
    `SELECT CASE WHEN GROUPING(payer_key) = 1 THEN NULL ELSE payer_key END AS "payerKey",
       count(*)::int AS studies, count(*) FILTER (WHERE billing_complete)::int AS "billingComplete"
     FROM (
       SELECT s.*, p.product_line FROM dxa_studies s LEFT JOIN plans p ON p.plan_id = s.plan_id
       WHERE s.as_of = $1::date AND s.study_date BETWEEN $2::date AND $3::date AND $4::int > 0
     ) s
     WHERE ${RESTRICT("s")}
     ${BY_PAYER}`,
    params(viewer, q),
  );
}

/** Effective central DXA lines with a service date in the period, and those denied, by the
 *  payer of the plan billed. */
export async function getDenialShare({ db, viewer }: Reader, q: FigureQuery): Promise<ByPayer<DenialShare>> {
  return db.query(
    `SELECT CASE WHEN GROUPING(payer_key) = 1 THEN NULL ELSE payer_key END AS "payerKey",
       count(*)::int AS lines, count(*) FILTER (WHERE line_status = 'denied')::int AS denied
     FROM (
       SELECT e.line_status, e.plan_id, p.payer_key, p.product_line FROM effective_lines e JOIN plans p ON p.plan_id = e.plan_id
       WHERE e.as_of = $1::date AND e.procedure_code IN ('77080', '77085')
         AND e.service_date BETWEEN $2::date AND $3::date AND $4::int > 0
     ) l
     WHERE ${RESTRICT("l")}
     ${BY_PAYER}`,
    params(viewer, q),
  );
}
