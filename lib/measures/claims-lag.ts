import type { Sql } from "@/db/client";
import { addDays } from "../dates";
import { lastDayOfMonth } from "../months";

export type ClaimsLag = { lines: number; medianDays: number; p90Days: number };

/** A snapshot's claims lag: over every payer, and by payer key. */
export type ClaimsLags = { allPayers: ClaimsLag | null; byPayer: Map<string, ClaimsLag> };

export async function getClaimsLag(db: Sql, asOf: string): Promise<ClaimsLags> {
  const rows = await db.query<ClaimsLag & { payerKey: string | null }>(
    `SELECT payer_key AS "payerKey", lines, median_days AS "medianDays", p90_days AS "p90Days"
     FROM claims_lag WHERE as_of = $1::date`,
    [asOf],
  );
  const lag = ({ lines, medianDays, p90Days }: ClaimsLag): ClaimsLag => ({ lines, medianDays, p90Days });
  const all = rows.find((r) => r.payerKey === null);
  return {
    allPayers: all ? lag(all) : null,
    byPayer: new Map(rows.filter((r) => r.payerKey !== null).map((r) => [r.payerKey!, lag(r)])),
  };
}

/** A month is provisional while the as-of date is less than the payer's 90th-percentile claims
 *  lag after the month's end (SPEC section 5): claims for it are still arriving. For a row over
 *  several payers, the slowest of them decides; over every payer, the lag of all claims. */
export function isProvisionalMonth(month: string, asOf: string, lags: ClaimsLags, payerKeys: readonly string[] | null): boolean {
  const known = (payerKeys === null ? [] : payerKeys.map((key) => lags.byPayer.get(key))).filter((l): l is ClaimsLag => l !== undefined).map((l) => l.p90Days);
  const p90 = known.length > 0 ? Math.max(...known) : lags.allPayers?.p90Days;
  if (p90 === undefined) return false;
  return asOf < addDays(lastDayOfMonth(month), Math.ceil(p90));
}
