import type { Sql } from "@/db/client";
import { importOutcomeSql, importRunningSql } from "@/lib/import/attempt";
import type { Viewer } from "../access";
import { getDataAsOf } from "../derive";
import { memoizeBySnapshot } from "../measures/memo";
import { getSnapshotBuiltAt } from "../measures/scope";
import { countHoldings, getStoredHoldings, type Holdings } from "./stored-counts";

export type WarehouseSummary = Holdings & {
  /** Latest received_date of any claim line; null before the first claims import. */
  asOf: string | null;
  lastImport: { id: number; finishedAt: string; outcome: string; importedBy: string } | null;
};

/** What the warehouse holds, for the data page. Aggregates only; a payer-scoped viewer sees
 *  only their payers' plans. The counts change only when an import succeeds, which derives a
 *  new snapshot and stores them with it (./stored-counts.ts); a snapshot derived outside an
 *  import (a rebuild) has none stored, and its counts are counted and remembered per build
 *  (seconds at millions of members, which 20 users opening the page at once would otherwise
 *  each pay). */
export async function getWarehouseSummary(db: Sql, viewer: Viewer): Promise<WarehouseSummary> {
  const asOf = await getDataAsOf(db);
  const scope = viewer.payerScope;
  const count = () => countHoldings(db, scope);
  const stored = asOf ? await getStoredHoldings(db, asOf, scope) : null;
  const holdings =
    stored ??
    (asOf ? await memoizeBySnapshot({ db, snapshot: { asOf, builtAt: await getSnapshotBuiltAt(db, asOf) } }, `warehouse-holdings|${scope?.join(",") ?? "*"}`, count) : await count());
  const [lastImport] = await db.query<NonNullable<WarehouseSummary["lastImport"]>>(
    `SELECT b.id, coalesce(b.finished_at, b.started_at) AS "finishedAt", ${importOutcomeSql("b")} AS outcome, b.imported_by AS "importedBy"
     FROM import_batches b WHERE NOT ${importRunningSql("b")} ORDER BY b.id DESC LIMIT 1`,
  );
  return { ...holdings, asOf, lastImport: lastImport ?? null };
}
