import type { Sql } from "@/db/client";
import { addDays } from "../dates";
import { lastDayOfMonth } from "../months";

export type ClaimsLag = { payerKey: string; lines: number; medianDays: number; p90Days: number };

/** Claims lag of a snapshot by payer key, with the figures over all payers under 'all'. */
export async function getClaimsLag(db: Sql, asOf: string): Promise<Map<string, ClaimsLag>> {
  const rows = await db.query<ClaimsLag>(
    `SELECT payer_key AS "payerKey", lines, median_days AS "medianDays", p90_days AS "p90Days"
     FROM claims_lag WHERE as_of = $1::date`,
    [asOf],
  );
  return new Map(rows.map((r) => [r.payerKey, r]));
}

/** A month is provisional while the as-of date is less than the payer's 90th-percentile claims
 *  lag after the month's end (SPEC section 5): claims for it are still arriving. Without a
 *  payer, the lag over all payers decides. */
export function isProvisionalMonth(month: string, asOf: string, lag: Map<string, ClaimsLag>, payerKey: string | null): boolean {
  const p90 = (lag.get(payerKey ?? "all") ?? lag.get("all"))?.p90Days;
  if (p90 === undefined) return false;
  return asOf < addDays(lastDayOfMonth(month), Math.ceil(p90));
}
