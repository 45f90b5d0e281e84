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
 *  lag after the month's end (SPEC section 5): claims for it are still arriving. For a row over
 *  several payers, the slowest of them decides; over every payer, the lag of all claims. */
export function isProvisionalMonth(month: string, asOf: string, lag: Map<string, ClaimsLag>, payerKeys: readonly string[] | null): boolean {
  const lags = payerKeys === null ? [lag.get("all")] : payerKeys.map((key) => lag.get(key));
  const known = lags.filter((l): l is ClaimsLag => l !== undefined).map((l) => l.p90Days);
  const p90 = known.length > 0 ? Math.max(...known) : lag.get("all")?.p90Days;
  if (p90 === undefined) return false;
  return asOf < addDays(lastDayOfMonth(month), Math.ceil(p90));
}
