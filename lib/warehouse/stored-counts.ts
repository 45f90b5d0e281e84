import type { Sql } from "@/db/client";
import type { Viewer } from "../access";
import { storeReconciliationDays } from "../reconciliation/stored";

// The data page's counts, stored with the snapshot by the import that derives it
// (db/schema/stored-counts.ts): what the warehouse holds, and the reconciliation findings per
// kind, day and plan (lib/reconciliation/stored.ts). Counted afresh by every import, in its
// transaction, once its snapshot is derived: a reader sees the counts of the snapshot it reads or
// none (and then counts them itself, as before). Table counts are counted, not carried forward
// with the import's own counts of new rows: a count kept apart from its table (an import's
// arithmetic, or counters kept up by triggers on every row written) can drift from it should
// anything but an import write the table (a fixture, a repair by hand), and the data page is the
// one place that states these figures; counting them here costs the import what the page's
// first view paid before, once (docs/benchmarks.md, "third session: /data").

export type PayerHoldings = { payerKey: string; payerName: string; plans: number; members: number };

export type Holdings = { members: number; plans: number; ehrOrders: number; claimLines: number; payers: PayerHoldings[] };

const TABLE_COUNTS = `SELECT (SELECT count(*) FROM members)::int AS members,
       (SELECT count(*) FROM plans)::int AS plans,
       (SELECT count(*) FROM ehr_orders)::int AS ehr_orders,
       (SELECT count(*) FROM claim_lines)::int AS claim_lines`;

// Members counted by the plan of any coverage span (a member may be under several payers); $1
// the viewer's payer scope (null: every payer). Its rows in the page's order, numbered.
const PAYER_COUNTS = `SELECT p.key AS payer_key, p.display_name AS payer_name,
       row_number() OVER (ORDER BY p.sort_order, p.display_name)::int AS position,
       count(DISTINCT pl.plan_id)::int AS plans, count(DISTINCT c.member_id)::int AS members
     FROM payers p
     LEFT JOIN plans pl ON pl.payer_key = p.key
     LEFT JOIN coverage c ON c.plan_id = pl.plan_id
     WHERE p.key <> 'unknown' AND ($1::text[] IS NULL OR p.key = ANY ($1::text[]))
     GROUP BY p.key, p.display_name, p.sort_order`;

type CountRow = { members: number; plans: number; ehr_orders: number; claim_lines: number };
type PayerRow = { payer_key: string; payer_name: string; plans: number; members: number };

function toHoldings(counts: CountRow, payers: readonly PayerRow[]): Holdings {
  return {
    members: counts.members,
    plans: counts.plans,
    ehrOrders: counts.ehr_orders,
    claimLines: counts.claim_lines,
    payers: payers.map((p) => ({ payerKey: p.payer_key, payerName: p.payer_name, plans: p.plans, members: p.members })),
  };
}

/** What the warehouse holds, counted now; a payer-scoped viewer's payers only. */
export async function countHoldings(db: Sql, scope: Viewer["payerScope"]): Promise<Holdings> {
  const [counts] = await db.query<CountRow>(TABLE_COUNTS);
  if (!counts) throw new Error("warehouse counts missing");
  const payers = await db.query<PayerRow>(`${PAYER_COUNTS} ORDER BY position`, [scope]);
  return toHoldings(counts, payers);
}

/**
 * After an import has derived the data's snapshot (`asOf`, null when no claims are loaded), in
 * the import's transaction: the counts of every earlier snapshot dropped (the import dropped the
 * snapshots), and the data page's counts of this one stored with its build time.
 */
export async function storeSnapshotCounts(tx: Sql, asOf: string | null): Promise<void> {
  for (const table of ["reconciliation_days", "snapshot_payer_counts", "snapshot_counts"]) await tx.exec(`DELETE FROM ${table}`);
  if (!asOf) return;
  const [snapshot] = await tx.query<{ built_at: string }>(`SELECT built_at::text AS built_at FROM derived_snapshots WHERE as_of = $1::date`, [asOf]);
  if (!snapshot) throw new Error(`the snapshot of ${asOf} is missing`);
  await tx.query(
    `INSERT INTO snapshot_counts (as_of, built_at, members, plans, ehr_orders, claim_lines)
     SELECT $1::date, $2::timestamptz, t.members, t.plans, t.ehr_orders, t.claim_lines FROM (${TABLE_COUNTS}) t`,
    [asOf, snapshot.built_at],
  );
  await tx.query(
    `INSERT INTO snapshot_payer_counts (as_of, payer_key, payer_name, position, plans, members)
     SELECT $2::date, h.payer_key, h.payer_name, h.position, h.plans, h.members FROM (${PAYER_COUNTS}) h`,
    [null, asOf],
  );
  await storeReconciliationDays(tx, asOf);
}

/** What the warehouse held when the snapshot `asOf` was built, as its import stored it; null
 *  when the snapshot as built now has no stored counts. One statement: the counts and the
 *  payers' of one build. */
export async function getStoredHoldings(db: Sql, asOf: string, scope: Viewer["payerScope"]): Promise<Holdings | null> {
  const [row] = await db.query<CountRow & { payers: PayerRow[] }>(
    `SELECT c.members, c.plans, c.ehr_orders, c.claim_lines,
       coalesce((SELECT json_agg(json_build_object('payer_key', h.payer_key, 'payer_name', h.payer_name, 'plans', h.plans, 'members', h.members) ORDER BY h.position)
                 FROM snapshot_payer_counts h
                 WHERE h.as_of = c.as_of AND ($2::text[] IS NULL OR h.payer_key = ANY ($2::text[]))), '[]'::json) AS payers
     FROM snapshot_counts c JOIN derived_snapshots d ON d.as_of = c.as_of AND d.built_at = c.built_at
     WHERE c.as_of = $1::date`,
    [asOf, scope ? [...scope] : null],
  );
  return row ? toHoldings(row, row.payers) : null;
}
