import type { Sql } from "@/db/client";
import { importOutcomeSql, importRunningSql } from "@/lib/import/attempt";
import type { Viewer } from "../access";
import { getDataAsOf } from "../derive";
import { memoizeBySnapshot } from "../measures/memo";
import { getSnapshotBuiltAt } from "../measures/scope";

export type PayerPlans = { payerKey: string; payerName: string; plans: number; members: number };

export type WarehouseSummary = {
  members: number;
  plans: number;
  ehrOrders: number;
  claimLines: number;
  /** Latest received_date of any claim line; null before the first claims import. */
  asOf: string | null;
  payers: PayerPlans[];
  lastImport: { id: number; finishedAt: string; outcome: string; importedBy: string } | null;
};

type Holdings = Pick<WarehouseSummary, "members" | "plans" | "ehrOrders" | "claimLines" | "payers">;

/** What the warehouse holds, for the data page. Aggregates only; a payer-scoped viewer sees
 *  only their payers' plans. The counts change only when an import succeeds, which derives a
 *  new snapshot: they are remembered per snapshot build (a second or more at 200,000 members,
 *  which 20 users opening the page at once would otherwise each pay). */
export async function getWarehouseSummary(db: Sql, viewer: Viewer): Promise<WarehouseSummary> {
  const asOf = await getDataAsOf(db);
  const scope = viewer.payerScope?.join(",") ?? "*";
  const snapshot = asOf ? { asOf, builtAt: await getSnapshotBuiltAt(db, asOf) } : null;
  const holdings = snapshot ? await memoizeBySnapshot({ db, snapshot }, `warehouse-holdings|${scope}`, () => countHoldings(db, viewer)) : await countHoldings(db, viewer);
  const [lastImport] = await db.query<NonNullable<WarehouseSummary["lastImport"]>>(
    `SELECT b.id, coalesce(b.finished_at, b.started_at) AS "finishedAt", ${importOutcomeSql("b")} AS outcome, b.imported_by AS "importedBy"
     FROM import_batches b WHERE NOT ${importRunningSql("b")} ORDER BY b.id DESC LIMIT 1`,
  );
  return { ...holdings, asOf, lastImport: lastImport ?? null };
}

async function countHoldings(db: Sql, viewer: Viewer): Promise<Holdings> {
  const [counts] = await db.query<Omit<Holdings, "payers">>(`
    SELECT (SELECT count(*) FROM members)::int AS members,
           (SELECT count(*) FROM plans)::int AS plans,
           (SELECT count(*) FROM ehr_orders)::int AS "ehrOrders",
           (SELECT count(*) FROM claim_lines)::int AS "claimLines"`);
  if (!counts) throw new Error("warehouse counts missing");
  // Members counted by the plan of any coverage span (a member may be under several payers).
  const payers = await db.query<PayerPlans>(
    `SELECT p.key AS "payerKey", p.display_name AS "payerName",
       count(DISTINCT pl.plan_id)::int AS plans, count(DISTINCT c.member_id)::int AS members
     FROM payers p
     LEFT JOIN plans pl ON pl.payer_key = p.key
     LEFT JOIN coverage c ON c.plan_id = pl.plan_id
     WHERE p.key <> 'unknown' AND ($1::text[] IS NULL OR p.key = ANY ($1::text[]))
     GROUP BY p.key, p.display_name, p.sort_order
     ORDER BY p.sort_order, p.display_name`,
    [viewer.payerScope],
  );
  return { ...counts, payers };
}
