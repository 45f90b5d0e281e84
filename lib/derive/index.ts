import type { Sql } from "@/db/client";
import { deriveClaimsLag } from "./claims-lag";
import { deriveDailyCubes } from "./cubes";
import { deriveEffectiveLines } from "./effective-lines";
import { deriveFractureEpisodes } from "./fractures";
import { deriveOrders } from "./orders";
import { deriveStudies } from "./studies";

const DERIVED_TABLES = [
  "effective_lines",
  "dxa_studies",
  "order_facts",
  "fracture_episodes",
  "claims_lag",
  "order_days",
  "episode_days",
] as const;

export type SnapshotSummary = {
  asOf: string;
  effectiveLines: number;
  studies: number;
  orders: number;
  fractureEpisodes: number;
};

/** The default as-of date: the latest received_date of any loaded claim line (SPEC section 5),
 *  or null when no claims are loaded. Recorded by the last successful import, so that pages
 *  need not scan the claims for it. */
export async function getDataAsOf(sql: Sql): Promise<string | null> {
  const [row] = await sql.query<{ as_of: string | null }>(
    `SELECT data_as_of AS as_of FROM import_batches WHERE outcome = 'succeeded' ORDER BY id DESC LIMIT 1`,
  );
  return row?.as_of ?? null;
}

async function computeDataAsOf(sql: Sql): Promise<string | null> {
  const [row] = await sql.query<{ as_of: string | null }>(`SELECT max(received_date) AS as_of FROM claim_lines`);
  return row?.as_of ?? null;
}

/** Derives the facts of SPEC section 4 as they stood on `asOf`, replacing any earlier
 *  derivation for that date. Must run inside a transaction (it uses temp tables). */
export async function deriveSnapshot(tx: Sql, asOf: string, importBatchId: number | null = null): Promise<SnapshotSummary> {
  await dropSnapshot(tx, asOf);
  await tx.query(`INSERT INTO derived_snapshots (as_of, built_at, import_batch_id) VALUES ($1::date, now(), $2)`, [
    asOf,
    importBatchId,
  ]);
  await deriveEffectiveLines(tx, asOf);
  await deriveStudies(tx, asOf);
  await deriveOrders(tx, asOf);
  await deriveFractureEpisodes(tx, asOf);
  await deriveClaimsLag(tx, asOf);
  await deriveDailyCubes(tx, asOf);
  for (const table of DERIVED_TABLES) await tx.exec(`ANALYZE ${table}`);
  await dropWorkTables(tx);
  const [counts] = await tx.query<Omit<SnapshotSummary, "asOf">>(
    `SELECT
       (SELECT count(*) FROM effective_lines WHERE as_of = $1::date)::int AS "effectiveLines",
       (SELECT count(*) FROM dxa_studies WHERE as_of = $1::date)::int AS "studies",
       (SELECT count(*) FROM order_facts WHERE as_of = $1::date)::int AS "orders",
       (SELECT count(*) FROM fracture_episodes WHERE as_of = $1::date)::int AS "fractureEpisodes"`,
    [asOf],
  );
  if (!counts) throw new Error("snapshot counts missing");
  return { asOf, ...counts };
}

// The derivation's temp tables (prefix d_) go as soon as it ends, so that a second snapshot
// in the same transaction can reuse their names.
async function dropWorkTables(tx: Sql): Promise<void> {
  const tables = await tx.query<{ name: string }>(
    `SELECT relname AS name FROM pg_class
     WHERE relpersistence = 't' AND relkind = 'r' AND relname LIKE 'd\\_%' AND pg_table_is_visible(oid)`,
  );
  if (tables.length > 0) await tx.exec(`DROP TABLE ${tables.map((t) => `"${t.name}"`).join(", ")}`);
}

async function dropSnapshot(tx: Sql, asOf: string): Promise<void> {
  for (const table of DERIVED_TABLES) await tx.query(`DELETE FROM ${table} WHERE as_of = $1::date`, [asOf]);
  await tx.query(`DELETE FROM derived_snapshots WHERE as_of = $1::date`, [asOf]);
}

/** After an import every snapshot is stale: drop them all and derive the default one, and
 *  record the data's as-of date on the import's log row. */
export async function rebuildDerivedFacts(tx: Sql, importBatchId: number | null = null): Promise<SnapshotSummary | null> {
  for (const table of DERIVED_TABLES) await tx.exec(`TRUNCATE ${table}`);
  await tx.exec(`DELETE FROM derived_snapshots`);
  const asOf = await computeDataAsOf(tx);
  if (importBatchId !== null) {
    await tx.query(`UPDATE import_batches SET data_as_of = $1::date WHERE id = $2`, [asOf, importBatchId]);
  }
  return asOf ? deriveSnapshot(tx, asOf, importBatchId) : null;
}
