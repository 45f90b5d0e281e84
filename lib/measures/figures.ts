import { addDays } from "../dates";
import { addMonths, lastDayOfMonth, startOfMonth } from "../months";
import { restrictionClause, restrictionParams } from "./restrict";
import type { MeasureScope } from "./scope";
import type { MeasureQuery } from "./types";

// The secondary figures of SPEC section 5, by payer and in total, for the same filters as the
// measures. Each is one grouped query over the snapshot's cubes (their cost follows days and
// plans, not orders or lines), except billing completeness, which no page shows.

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

/** Days from order to scan of completed mature orders (the follow-up numerator), counted per
 *  payer and number of days (0…W): read from the snapshot's scan cubes (db/schema/derived.ts),
 *  whole months from scan_months and the days of partial months from scan_days. Maturity
 *  (order date + W ≤ as-of) ends the period at as-of − W. */
export type ScanHistogram = { payerKey: string; days: number; orders: number }[];

export async function getScanHistogram({ db, viewer }: Reader, q: FigureQuery): Promise<ScanHistogram> {
  const hi = minDate(q.to, addDays(q.asOf, -q.window));
  if (hi < q.from) return [];
  const parts = splitByMonth(q.from, hi);
  const rows = await db.query<{ payerKey: string; days: number; orders: number }>(
    `SELECT payer_key AS "payerKey", days_to_scan::int AS days, sum(orders)::int AS orders
     FROM (
       SELECT payer_key, plan_id, product_line, days_to_scan, orders FROM scan_months
       WHERE as_of = $1::date AND order_month BETWEEN $9::date AND $10::date
       UNION ALL
       SELECT payer_key, plan_id, product_line, days_to_scan, orders FROM scan_days
       WHERE as_of = $1::date AND (order_date BETWEEN $11::date AND $12::date OR order_date BETWEEN $13::date AND $14::date)
     ) h
     -- $2 and $3 typed here too: the period is passed as its months and days.
     WHERE days_to_scan <= $4::int AND $2::date <= $3::date AND ${RESTRICT("h")}
     GROUP BY payer_key, days_to_scan`,
    [...params(viewer, q), parts.months?.[0] ?? null, parts.months?.[1] ?? null, ...(parts.days[0] ?? [null, null]), ...(parts.days[1] ?? [null, null])],
  );
  return rows;
}

/** [from, to] as its whole months (first and last month's first day) and the days of the
 *  partial months at either end. */
function splitByMonth(from: string, to: string): { months: [string, string] | null; days: [string, string][] } {
  const firstWhole = from.endsWith("-01") ? from : startOfMonth(addMonths(from, 1));
  const lastWholeEnd = to === lastDayOfMonth(to) ? to : addDays(startOfMonth(to), -1);
  if (firstWhole > lastWholeEnd) return { months: null, days: [[from, to]] };
  const days: [string, string][] = [];
  if (from < firstWhole) days.push([from, addDays(firstWhole, -1)]);
  if (lastWholeEnd < to) days.push([addDays(lastWholeEnd, 1), to]);
  return { months: [firstWhole, startOfMonth(lastWholeEnd)], days };
}

const minDate = (a: string, b: string) => (a < b ? a : b);

/** Median and 90th percentile of days to scan per payer and over all payers (payerKey null),
 *  exactly as PostgreSQL's percentile_cont computes them over the orders themselves: the values
 *  at positions floor(p(n − 1)) and ceil(p(n − 1)) of the sorted days, interpolated in double
 *  precision. */
export function daysToScanFrom(histogram: ScanHistogram): ByPayer<DaysToScan> {
  const summarise = (rows: ScanHistogram): DaysToScan => {
    const counts = new Map<number, number>();
    for (const r of rows) counts.set(r.days, (counts.get(r.days) ?? 0) + r.orders);
    const sorted = [...counts.entries()].sort((a, b) => a[0] - b[0]);
    const n = sorted.reduce((m, [, c]) => m + c, 0);
    const at = (position: number) => {
      let seen = 0;
      for (const [days, c] of sorted) {
        seen += c;
        if (seen > position) return days;
      }
      return NaN;
    };
    const percentile = (p: number) => {
      const position = p * (n - 1);
      const low = at(Math.floor(position));
      return low + (at(Math.ceil(position)) - low) * (position - Math.floor(position));
    };
    return { completed: n, median: n > 0 ? percentile(0.5) : null, p90: n > 0 ? percentile(0.9) : null };
  };
  const payers = [...new Set(histogram.map((r) => r.payerKey))].sort();
  return [
    ...payers.map((payerKey) => ({ payerKey, ...summarise(histogram.filter((r) => r.payerKey === payerKey)) })),
    { payerKey: null, ...summarise(histogram) },
  ];
}

/** The distribution of the same days over all payers, one row per day value (0…W). */
export function daysToScanDistributionFrom(histogram: ScanHistogram): { days: number; orders: number }[] {
  const counts = new Map<number, number>();
  for (const r of histogram) counts.set(r.days, (counts.get(r.days) ?? 0) + r.orders);
  return [...counts.entries()].sort((a, b) => a[0] - b[0]).map(([days, orders]) => ({ days, orders }));
}

/** Days from order to scan of completed, mature orders (the follow-up numerator): median and
 *  90th percentile (continuous, as PostgreSQL's percentile_cont). */
export async function getDaysToScan(reader: Reader, q: FigureQuery): Promise<ByPayer<DaysToScan>> {
  return daysToScanFrom(await getScanHistogram(reader, q));
}

/** The distribution of the days to scan of the same orders, one row per day (0…W). */
export async function getDaysToScanDistribution(reader: Reader, q: FigureQuery): Promise<{ days: number; orders: number }[]> {
  return daysToScanDistributionFrom(await getScanHistogram(reader, q));
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
 *  payer of the plan billed: read from the snapshot's cube of them per day and plan. */
export async function getDenialShare({ db, viewer }: Reader, q: FigureQuery): Promise<ByPayer<DenialShare>> {
  return db.query(
    `SELECT CASE WHEN GROUPING(payer_key) = 1 THEN NULL ELSE payer_key END AS "payerKey",
       coalesce(sum(lines), 0)::int AS lines, coalesce(sum(denied), 0)::int AS denied
     FROM dxa_line_days l
     WHERE l.as_of = $1::date AND l.service_date BETWEEN $2::date AND $3::date AND $4::int > 0 AND ${RESTRICT("l")}
     ${BY_PAYER}`,
    params(viewer, q),
  );
}
