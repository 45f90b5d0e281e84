import type { Sql } from "@/db/client";
import { loadWithoutIndexes } from "@/db/indexes";
import { deriveClaimsLag } from "./claims-lag";
import { deriveDailyCubes } from "./cubes";
import { deriveEffectiveLines } from "./effective-lines";
import { deriveFractureEpisodes } from "./fractures";
import { deriveIncrementally, planDerivation, recordBasis } from "./incremental";
import { deriveOrders } from "./orders";
import { buildScreeningMonths, deriveScreeningCorners } from "./screening";
import { EVERY_MEMBER } from "./scope";
import { derivationSteps, dropWorkTables, prepareSession, SNAPSHOT_TABLES, timedStep, type SnapshotTable } from "./session";
import { deriveStudies } from "./studies";

export { derivationSteps, SNAPSHOT_TABLES } from "./session";

/** The derivation in order. After an import every table is empty (rebuildDerivedFacts), so each
 *  step fills its tables without indexes and builds them once it is done (db/indexes.ts). */
const STEPS: { name: string; derive: (tx: Sql, asOf: string) => Promise<void>; fills: SnapshotTable[] }[] = [
  { name: "effective lines (D1)", derive: deriveEffectiveLines, fills: ["effective_lines"] },
  { name: "studies (D2, D5)", derive: (tx, asOf) => deriveStudies(tx, asOf, EVERY_MEMBER), fills: ["dxa_studies"] },
  { name: "orders (D3, D4)", derive: (tx, asOf) => deriveOrders(tx, asOf, EVERY_MEMBER), fills: ["order_facts"] },
  { name: "fracture episodes (D6)", derive: (tx, asOf) => deriveFractureEpisodes(tx, asOf, EVERY_MEMBER), fills: ["fracture_episodes"] },
  { name: "claims lag", derive: deriveClaimsLag, fills: ["claims_lag_days", "claims_lag"] },
  { name: "daily cubes", derive: deriveDailyCubes, fills: ["order_days", "episode_days", "scan_days", "scan_months", "dxa_line_days"] },
  {
    name: "screening cube",
    derive: async (tx, asOf) => {
      await deriveScreeningCorners(tx, asOf);
      await buildScreeningMonths(tx, asOf);
    },
    fills: ["screening_corners", "screening_months"],
  },
];

export type SnapshotSummary = {
  asOf: string;
  effectiveLines: number;
  studies: number;
  orders: number;
  fractureEpisodes: number;
  /** How the import derived it: every member, or only those its claim lines touched. */
  derivation?: { kind: "full" | "incremental" | "unchanged"; reason: string; members?: number };
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

/** Derives the facts of SPEC section 4 as they stood on `asOf`, for every member, replacing any
 *  earlier derivation for that date. Must run inside a transaction (it uses temp tables). */
export async function deriveSnapshot(tx: Sql, asOf: string, importBatchId: number | null = null): Promise<SnapshotSummary> {
  await prepareSession(tx);
  await dropSnapshot(tx, asOf);
  await tx.query(`INSERT INTO derived_snapshots (as_of, built_at, import_batch_id) VALUES ($1::date, now(), $2)`, [
    asOf,
    importBatchId,
  ]);
  // Each step fills its tables, which the later steps read through their indexes.
  for (const step of STEPS) await timedStep(step.name, () => loadWithoutIndexes(tx, step.fills, () => step.derive(tx, asOf)));
  await timedStep("statistics", async () => {
    for (const table of SNAPSHOT_TABLES) await tx.exec(`ANALYZE ${table}`);
  });
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

async function dropSnapshot(tx: Sql, asOf: string): Promise<void> {
  for (const table of SNAPSHOT_TABLES) await tx.query(`DELETE FROM ${table} WHERE as_of = $1::date`, [asOf]);
  await tx.query(`DELETE FROM derived_snapshots WHERE as_of = $1::date`, [asOf]);
}

/**
 * After an import: the data's snapshot derived again, and every earlier one dropped (they are
 * stale); the data's as-of date recorded on the import's log row. A claims refresh (an import
 * that added claim lines and changed nothing else) derives only the members its lines touch
 * (lib/derive/incremental.ts); a first load, or any import that changed members, coverage,
 * plans or orders, derives everything.
 */
export async function rebuildDerivedFacts(tx: Sql, importBatchId: number | null = null): Promise<SnapshotSummary | null> {
  derivationSteps.length = 0;
  const plan = await planDerivation(tx, importBatchId);
  if (plan.kind !== "full") {
    const summary = await deriveIncrementally(tx, importBatchId!, plan);
    if (summary) return summary;
  }
  const reason = plan.kind === "full" ? plan.reason : "the refresh touched too many members";
  for (const table of SNAPSHOT_TABLES) await tx.exec(`TRUNCATE ${table}`);
  await tx.exec(`DELETE FROM derived_snapshots`);
  const asOf = await computeDataAsOf(tx);
  if (importBatchId !== null) {
    await tx.query(`UPDATE import_batches SET data_as_of = $1::date WHERE id = $2`, [asOf, importBatchId]);
  }
  if (!asOf) {
    await tx.exec(`DELETE FROM derivation_basis`);
    return null;
  }
  const summary = await deriveSnapshot(tx, asOf, importBatchId);
  await recordBasis(tx, asOf, importBatchId, summary);
  return { ...summary, derivation: { kind: "full", reason } };
}
