import type { Sql } from "@/db/client";
import { deriveSnapshot, getDataAsOf } from "../derive";

/** The snapshot (as-of date) a view reads: the data's own as-of date by default, or an earlier
 *  one a user asked for, derived on first use. A date after the data's as-of is clamped to it:
 *  the data are not complete beyond it. Returns null when no claims are loaded. */
export async function resolveSnapshot(db: Sql, requestedAsOf?: string): Promise<string | null> {
  const dataAsOf = await getDataAsOf(db);
  if (!dataAsOf) return null;
  const asOf = requestedAsOf && requestedAsOf < dataAsOf ? requestedAsOf : dataAsOf;
  const [exists] = await db.query(`SELECT 1 FROM derived_snapshots WHERE as_of = $1::date`, [asOf]);
  if (!exists) await db.transaction((tx) => deriveSnapshot(tx, asOf));
  return asOf;
}
