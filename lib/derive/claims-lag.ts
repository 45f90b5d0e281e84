import type { Sql } from "@/db/client";

/** Claims lag by payer of the billed plan, and over all payers (payer_key null): days from
 *  service to receipt of original submissions (frequency 1; a replacement's later receipt is
 *  not lag) received in the 12 months up to the as-of date. */
export async function deriveClaimsLag(tx: Sql, asOf: string): Promise<void> {
  await tx.query(
    `INSERT INTO claims_lag (as_of, payer_key, lines, median_days, p90_days)
     SELECT $1::date, CASE WHEN GROUPING(p.payer_key) = 1 THEN NULL ELSE p.payer_key END, count(*)::int,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY c.received_date - c.service_date),
       percentile_cont(0.9) WITHIN GROUP (ORDER BY c.received_date - c.service_date)
     FROM claim_lines c JOIN plans p ON p.plan_id = c.plan_id
     WHERE c.frequency_code = 1 AND c.received_date <= $1::date AND c.received_date > $1::date - 365
     GROUP BY GROUPING SETS ((p.payer_key), ())
     -- No claim received in those 12 months: no row, rather than an all-payer row of nulls.
     HAVING count(*) > 0`,
    [asOf],
  );
}
