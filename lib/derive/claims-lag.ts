import type { Sql } from "@/db/client";

// Claims lag by payer of the billed plan, and over all payers (payer_key null): days from
// service to receipt of original submissions (frequency 1; a replacement's later receipt is not
// lag) received in the 12 months up to the as-of date. Kept as a histogram (claims_lag_days) per
// received date, payer and lag, from which claims_lag's median and 90th percentile are read: a
// claims refresh adds its lines to the histogram and drops the days that left the window, where
// a full count would scan every claim line.

const WINDOW = "received_date <= $1::date AND received_date > $1::date - 365";

/** The histogram of a snapshot from the claim lines, and its claims_lag rows. */
export async function deriveClaimsLag(tx: Sql, asOf: string): Promise<void> {
  await tx.query(
    `INSERT INTO claims_lag_days (as_of, received_date, payer_key, lag_days, lines)
     SELECT $1::date, c.received_date, p.payer_key, c.received_date - c.service_date, count(*)::int
     FROM claim_lines c JOIN plans p ON p.plan_id = c.plan_id
     WHERE c.frequency_code = 1 AND c.received_date <= $1::date AND c.received_date > $1::date - 365
     GROUP BY c.received_date, p.payer_key, c.received_date - c.service_date`,
    [asOf],
  );
  await summariseClaimsLag(tx, asOf);
}

/** A claims refresh: the snapshot (already re-keyed to `asOf`) gains the original lines of temp
 *  table `lines` (claim lines, all new) and loses the days no longer in its window. */
export async function refreshClaimsLag(tx: Sql, asOf: string, lines: string): Promise<void> {
  await tx.query(`DELETE FROM claims_lag_days WHERE as_of = $1::date AND NOT (${WINDOW})`, [asOf]);
  await tx.query(
    `INSERT INTO claims_lag_days (as_of, received_date, payer_key, lag_days, lines)
     SELECT $1::date, c.received_date, p.payer_key, c.received_date - c.service_date, count(*)::int
     FROM ${lines} c JOIN plans p ON p.plan_id = c.plan_id
     WHERE c.frequency_code = 1 AND c.received_date <= $1::date AND c.received_date > $1::date - 365
     GROUP BY c.received_date, p.payer_key, c.received_date - c.service_date`,
    [asOf],
  );
  await tx.query(`DELETE FROM claims_lag WHERE as_of = $1::date`, [asOf]);
  await summariseClaimsLag(tx, asOf);
}

/**
 * claims_lag from the histogram: lines, and percentile_cont(0.5) and (0.9) of the lag exactly as
 * PostgreSQL computes them over the lines themselves: the values at positions floor(p × (n − 1))
 * and ceil(p × (n − 1)) of the sorted lags, interpolated as lo + (hi − lo) × (p × (n − 1) −
 * floor(p × (n − 1))) in double precision. A value at position i is the least lag whose running
 * count of lines exceeds i.
 */
async function summariseClaimsLag(tx: Sql, asOf: string): Promise<void> {
  const at = (position: string) => `min(lag_days) FILTER (WHERE running > ${position})::float8`;
  const percentile = (p: string) => {
    const position = `(${p}::float8 * (n - 1)::float8)`;
    return `${at(`floor(${position})`)} + (${at(`ceil(${position})`)} - ${at(`floor(${position})`)}) * (${position} - floor(${position}))`;
  };
  await tx.query(
    `INSERT INTO claims_lag (as_of, payer_key, lines, median_days, p90_days)
     SELECT $1::date, payer_key, n::int, ${percentile("0.5")}, ${percentile("0.9")}
     FROM (
       SELECT payer_key, all_payers, lag_days,
         sum(lines) OVER (PARTITION BY all_payers, payer_key ORDER BY lag_days) AS running,
         sum(lines) OVER (PARTITION BY all_payers, payer_key) AS n
       FROM (
         SELECT CASE WHEN GROUPING(payer_key) = 1 THEN NULL ELSE payer_key END AS payer_key,
           GROUPING(payer_key) AS all_payers, lag_days, sum(lines)::bigint AS lines
         FROM claims_lag_days WHERE as_of = $1::date AND ${WINDOW}
         GROUP BY GROUPING SETS ((payer_key, lag_days), (lag_days))
       ) h
     ) c
     GROUP BY payer_key, all_payers, n`,
    [asOf],
  );
}
