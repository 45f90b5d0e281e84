import type { Sql } from "@/db/client";
import { deriveSnapshot, getDataAsOf } from "../derive";

// The snapshot (as-of date) a view reads: the data's own, derived by every import, or an earlier
// one a user asks for (SPEC section 5: the figures as they stood then). An earlier snapshot is
// derived on first use and kept in a small cache: at most MAX_EARLIER_SNAPSHOTS of them besides
// the data's own, the oldest built dropped first (SPEC section 11: looking at an earlier date
// never creates anything that grows without bound). Every import drops them all.
//
// Cost, measured in docs/benchmarks.md: deriving an earlier snapshot costs about what the
// import's derivation costs (seconds at 200,000 members); later views of it cost nothing more.

/** Earlier snapshots kept besides the data's own. Each holds the derived facts of the whole
 *  warehouse, so the bound is in number of copies, each the size of the data's own. */
export const MAX_EARLIER_SNAPSHOTS = 2;

/** Serialises derivations of earlier snapshots across requests and servers: two requests for
 *  the same new date derive it once; the second finds it done. */
const SNAPSHOT_LOCK = 728_402_117;

/**
 * The snapshot to read for a requested as-of date: the data's by default; a date after it is
 * the data's (the data are not complete beyond it). Derives an earlier one on first use.
 * Returns null when no claims are loaded.
 */
export async function resolveSnapshot(db: Sql, requestedAsOf?: string, dataAsOf?: string | null): Promise<string | null> {
  const latest = dataAsOf === undefined ? await getDataAsOf(db) : dataAsOf;
  if (!latest) return null;
  const asOf = requestedAsOf && requestedAsOf < latest ? requestedAsOf : latest;
  if (await snapshotExists(db, asOf)) return asOf;
  await db.transaction(async (tx) => {
    await tx.query(`SELECT pg_advisory_xact_lock($1)`, [SNAPSHOT_LOCK]);
    if (await snapshotExists(tx, asOf)) return;
    await evictEarlierSnapshots(tx, latest, MAX_EARLIER_SNAPSHOTS - 1);
    await deriveSnapshot(tx, asOf);
  });
  return asOf;
}

export async function snapshotExists(db: Sql, asOf: string): Promise<boolean> {
  const [row] = await db.query(`SELECT 1 FROM derived_snapshots WHERE as_of = $1::date`, [asOf]);
  return row !== undefined;
}

/** Drops the earlier snapshots (never the data's own) beyond the `keep` most recently built. */
async function evictEarlierSnapshots(tx: Sql, dataAsOf: string, keep: number): Promise<void> {
  const stale = await tx.query<{ as_of: string }>(
    `SELECT as_of FROM derived_snapshots WHERE as_of <> $1::date ORDER BY built_at DESC, as_of DESC OFFSET $2`,
    [dataAsOf, keep],
  );
  if (stale.length === 0) return;
  // Every table that holds a snapshot's facts has an as_of column: found from the catalogue, so
  // that a derived table added later is evicted too.
  const tables = await tx.query<{ table_name: string }>(
    `SELECT table_name FROM information_schema.columns
     WHERE table_schema = current_schema() AND column_name = 'as_of' AND table_name <> 'derived_snapshots'`,
  );
  const dates = stale.map((s) => s.as_of);
  for (const { table_name } of tables) await tx.query(`DELETE FROM "${table_name}" WHERE as_of = ANY ($1::text[]::date[])`, [dates]);
  await tx.query(`DELETE FROM derived_snapshots WHERE as_of = ANY ($1::text[]::date[])`, [dates]);
}
