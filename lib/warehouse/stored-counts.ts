import type { Sql } from "@/db/client";
import type { Viewer } from "../access";
import type { SnapshotSummary } from "../derive";
import { refreshChanges } from "../derive/incremental";
import { changeReconciliationDays, storeReconciliationDays } from "../reconciliation/stored";

// The data page's counts, stored with the snapshot by the import that derives it
// (db/schema/stored-counts.ts): what the warehouse holds, and the reconciliation findings per
// kind, day and plan (lib/reconciliation/stored.ts). Written by every successful import, in its
// transaction, once its snapshot is derived: a reader sees the counts of the snapshot it reads or
// none (and then counts them itself, as before).
//
// Where the table counts come from. An import that changed anything but claim lines counts every
// table again (at 2,000,000 members about 5 s, 4 of them the members of each payer: a distinct
// count over the coverage). A claims refresh — an import whose derivation was incremental or
// found nothing to do, which lib/derive/incremental.ts allows only when the previous import's
// snapshot is the basis, no warehouse table was emptied or rewritten since, and no row but new
// claim lines was written — carries the previous import's counts forward and adds the import's
// own count of new claim lines: counting again would add a quarter to the refresh's time to find
// the same numbers. No counters kept by triggers: they would tax every row every import writes.
// The findings follow the same rule: a claims refresh changes the stored ones by the difference
// of the facts of the members it touched, which the incremental derivation keeps for this step
// (refreshChanges in lib/derive/incremental.ts; changeReconciliationDays in
// lib/reconciliation/stored.ts): 0.2–0.5 s at 2,000,000 members where counting them all again
// took 2.9 s of a 20 s refresh. Any other import that changed the snapshot counts them afresh.
// Carried forward, table counts or findings, only when the counts stored before the import were
// those of the snapshot as then built (getCountedSnapshot): a snapshot derived again outside an
// import has none, and the next import counts everything.
// A test compares the stored counts with a direct count after each kind of import
// (test/integration/stored-counts.test.ts).

export type PayerHoldings = { payerKey: string; payerName: string; plans: number; members: number };

export type Holdings = { members: number; plans: number; ehrOrders: number; claimLines: number; payers: PayerHoldings[] };

const TABLE_COUNTS = `SELECT (SELECT count(*) FROM members)::int AS members,
       (SELECT count(*) FROM plans)::int AS plans,
       (SELECT count(*) FROM ehr_orders)::int AS ehr_orders,
       (SELECT count(*) FROM claim_lines)::int AS claim_lines`;

// Members counted by the plan of any coverage span (a member may be under several payers); $1
// the viewer's payer scope (null: every payer). Its rows in the page's order, numbered. The
// plan ids are compared in byte order whatever their columns' collations: run by every import,
// the join must not fail on a column altered by hand (test/integration/derive-attribution).
const PAYER_COUNTS = `SELECT p.key AS payer_key, p.display_name AS payer_name,
       row_number() OVER (ORDER BY p.sort_order, p.display_name)::int AS position,
       count(DISTINCT pl.plan_id)::int AS plans, count(DISTINCT c.member_id)::int AS members
     FROM payers p
     LEFT JOIN plans pl ON pl.payer_key = p.key
     LEFT JOIN coverage c ON c.plan_id = pl.plan_id COLLATE "C"
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

/** The as-of date of the snapshot whose data page counts are stored and are its build's (the
 *  import that derived it stored them), or null: read by an import before it derives, to tell
 *  whether the counts may be carried forward (see above). */
export async function getCountedSnapshot(tx: Sql): Promise<string | null> {
  const [row] = await tx.query<{ as_of: string }>(
    `SELECT c.as_of::text AS as_of FROM snapshot_counts c JOIN derived_snapshots d ON d.as_of = c.as_of AND d.built_at = c.built_at`,
  );
  return row?.as_of ?? null;
}

/** What an import did, as far as the stored counts are concerned: the snapshot it derived (null
 *  when no claims are loaded), how many claim lines it added, and the snapshot whose counts were
 *  stored before it derived (getCountedSnapshot). */
export type ImportedSnapshot = { snapshot: SnapshotSummary | null; newClaimLines: number; countedBefore: string | null; importBatchId: number };

/**
 * After an import has derived the data's snapshot, in the import's transaction: the counts of
 * every earlier snapshot dropped (the import dropped those snapshots), and the data page's counts
 * of this one stored with its build time (table counts carried forward and findings changed by
 * the refresh's difference on a claims refresh, see above).
 */
export async function storeSnapshotCounts(tx: Sql, { snapshot, newClaimLines, countedBefore, importBatchId }: ImportedSnapshot): Promise<void> {
  const kind = snapshot?.derivation?.kind;
  const [previous] =
    (kind === "incremental" || kind === "unchanged") && countedBefore !== null
      ? await tx.query<CountRow & { as_of: string }>(`SELECT as_of::text AS as_of, members, plans, ehr_orders, claim_lines FROM snapshot_counts WHERE as_of = $1::date`, [countedBefore])
      : [];
  // The findings follow the snapshot's facts and as-of date, which a derivation that found
  // nothing to do left as they were, and a refresh changed by its touched members' facts.
  const sameFindings = kind === "unchanged" && previous?.as_of === snapshot?.asOf;
  const change = kind === "incremental" && previous ? await refreshChanges(tx, importBatchId) : null;
  const changedFindings = change !== null && change.asOfBefore === previous?.as_of && change.asOf === snapshot?.asOf ? change : null;
  if (!sameFindings && !changedFindings) {
    await tx.exec(`DELETE FROM reconciliation_days`);
    await tx.exec(`DELETE FROM reconciliation_months`);
  }
  await tx.exec(`DELETE FROM snapshot_counts`);
  if (!previous) await tx.exec(`DELETE FROM snapshot_payer_counts`);
  if (!snapshot) return;
  const { asOf } = snapshot;
  const [build] = await tx.query<{ built_at: string }>(`SELECT built_at::text AS built_at FROM derived_snapshots WHERE as_of = $1::date`, [asOf]);
  if (!build) throw new Error(`the snapshot of ${asOf} is missing`);
  if (previous) {
    await tx.query(
      `INSERT INTO snapshot_counts (as_of, built_at, members, plans, ehr_orders, claim_lines) VALUES ($1::date, $2::timestamptz, $3, $4, $5, $6)`,
      [asOf, build.built_at, previous.members, previous.plans, previous.ehr_orders, previous.claim_lines + newClaimLines],
    );
    await tx.query(`UPDATE snapshot_payer_counts SET as_of = $1::date`, [asOf]);
  } else {
    await tx.query(
      `INSERT INTO snapshot_counts (as_of, built_at, members, plans, ehr_orders, claim_lines)
       SELECT $1::date, $2::timestamptz, t.members, t.plans, t.ehr_orders, t.claim_lines FROM (${TABLE_COUNTS}) t`,
      [asOf, build.built_at],
    );
    await tx.query(
      `INSERT INTO snapshot_payer_counts (as_of, payer_key, payer_name, position, plans, members)
       SELECT $2::date, h.payer_key, h.payer_name, h.position, h.plans, h.members FROM (${PAYER_COUNTS}) h`,
      [null, asOf],
    );
  }
  if (changedFindings) {
    const { asOfBefore, before, after } = changedFindings;
    await changeReconciliationDays(tx, { asOfBefore, asOf, before: { ...before, ofSnapshot: false }, after: { ...after, ofSnapshot: false } });
  } else if (!sameFindings) {
    await storeReconciliationDays(tx, asOf);
  }
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
