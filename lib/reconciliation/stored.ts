import type { Sql } from "@/db/client";
import type { Viewer } from "../access";
import { memoizeBySnapshot } from "../measures/memo";
import type { MeasureScope } from "../measures/scope";
import { applyDifference, type Cells } from "../derive/cubes";
import { CAPTURE_DAYS } from "../derive/codes";
import { rekeyTables } from "../derive/incremental";
import { withPlannerMethodsOff } from "../derive/session";
import {
  countFindings,
  countsByKind,
  findingConditions,
  findingParams,
  findingsFrom,
  selectedKinds,
  type FindingKind,
  type FindingSources,
  type ReconciliationQuery,
} from "./index";

// The data page's reconciliation counts, stored with the snapshot (reconciliation_days and
// reconciliation_months, written by each import in its transaction: lib/warehouse/stored-counts.ts).
// They are the findings of findingsFrom itself, over every date, grouped by kind, day (or month)
// and plan: a period, payers, plans or product lines then select whole rows of them, and the sums
// equal countFindings exactly.

/** Writes the snapshot's findings per kind, day and plan, and per kind, month and plan. The
 *  caller has emptied both tables. */
export async function storeReconciliationDays(tx: Sql, asOf: string): Promise<void> {
  const every = findingsFrom(null, { asOf, from: "-infinity", to: "infinity" });
  // A count over every study, order and line of the snapshot: hash joins, whatever the
  // statistics say. After an incremental derivation the snapshot's as_of column has none (the
  // refresh re-keys it), the planner takes the studies for a few hundred rows and looks up each
  // one's orders by index: 8-9 s at 2,000,000 members on a refresh, against about 1.5 s.
  await withPlannerMethodsOff(tx, ["enable_nestloop"], () =>
    tx.query(
      `INSERT INTO reconciliation_days (as_of, finding, day, payer_key, plan_id, product_line, findings)
       SELECT $1::date, f.finding, f.date, f.payer_key, f.plan_id, pl.product_line, count(*)::int
       ${every.text}
       GROUP BY f.finding, f.date, f.payer_key, f.plan_id, pl.product_line`,
      every.params,
    ),
  );
  await tx.query(
    `INSERT INTO reconciliation_months (as_of, finding, month, payer_key, plan_id, product_line, findings)
     SELECT as_of, finding, date_trunc('month', day::timestamp)::date, payer_key, plan_id, product_line, sum(findings)::int
     FROM reconciliation_days WHERE as_of = $1::date
     GROUP BY as_of, finding, date_trunc('month', day::timestamp)::date, payer_key, plan_id, product_line`,
    [asOf],
  );
}

/** The stored findings as cells that change by a difference (applyDifference, as the cubes). */
const FINDING_CELLS = (table: "reconciliation_days" | "reconciliation_months", date: "day" | "month"): Cells => ({
  table,
  key: ["finding", date, "payer_key", "plan_id", "product_line"],
  counts: ["findings"],
  nullable: ["plan_id", "product_line"],
  kept: "findings > 0",
});

/** What a claims refresh changed (lib/derive/incremental.ts's refreshChanges): the as-of dates
 *  before and after, and the facts of the members it touched as they were and as they are (the
 *  lines: those of the claims it touched; their members' other lines did not change). */
export type SnapshotChange = { asOfBefore: string; asOf: string; before: FindingSources; after: FindingSources };

/**
 * Changes the stored findings of the snapshot `change.asOfBefore` into those of `change.asOf` by
 * the difference a claims refresh made, instead of counting every study, order and line again.
 * A finding belongs to one member and follows from that member's facts alone (a study without
 * an order: the member's studies and orders; the others: one study, order or line), the payers
 * and plans (which a refresh leaves as they were) and the as-of date. So the findings change by
 * the touched members' findings now less theirs before, and by what the as-of date moves: an
 * order is not captured only once its 14 days have passed, and the orders of every member dated
 * in the days whose 14 days passed between the two dates ("maturing") become findings. Those
 * days are counted again whole from the snapshot (a month of orders, by the order date's index),
 * in place of what was stored for them; the touched members' difference leaves them out.
 */
export async function changeReconciliationDays(tx: Sql, change: SnapshotChange): Promise<void> {
  const { asOfBefore, asOf } = change;
  const [maturing] = await tx.query<{ first: string; last: string }>(
    `SELECT ($1::date - ${CAPTURE_DAYS} + 1)::text AS first, ($2::date - ${CAPTURE_DAYS})::text AS last`,
    [asOfBefore, asOf],
  );
  const { first, last } = maturing!;
  await tx.exec(`CREATE TEMP TABLE d_findings_change (LIKE reconciliation_days) ON COMMIT DROP`);
  const every = { from: "-infinity", to: "infinity" };
  // Each set of findings counted by cell, with its sign; the maturing days' orders left out of
  // the touched members' (counted whole below) when `maturingOut`.
  const add = async (sign: 1 | -1, findings: { text: string; params: unknown[] }, maturingOut: boolean) => {
    const n = findings.params.length;
    await tx.query(
      `INSERT INTO d_findings_change (as_of, finding, day, payer_key, plan_id, product_line, findings)
       SELECT $${n + 1}::date, f.finding, f.date, f.payer_key, f.plan_id, pl.product_line, (${sign} * count(*))::int
       ${findings.text} AND (NOT $${n + 2}::boolean OR f.finding <> 'order_not_captured' OR f.date < $${n + 3}::date)
       GROUP BY f.finding, f.date, f.payer_key, f.plan_id, pl.product_line`,
      [...findings.params, asOf, maturingOut, first],
    );
  };
  await add(1, findingsFrom(null, { asOf, ...every }, change.after), true);
  await add(-1, findingsFrom(null, { asOf: asOfBefore, ...every }, change.before), true);
  if (first <= last) {
    await add(1, findingsFrom(null, { asOf, from: first, to: last, findings: ["order_not_captured"] }), false);
    await tx.query(
      `INSERT INTO d_findings_change (as_of, finding, day, payer_key, plan_id, product_line, findings)
       SELECT $3::date, finding, day, payer_key, plan_id, product_line, -findings FROM reconciliation_days
       WHERE as_of = $4::date AND finding = 'order_not_captured' AND day BETWEEN $1::date AND $2::date`,
      [first, last, asOf, asOfBefore],
    );
  }
  // The stored rows re-keyed to the new as-of date as the snapshot's are (57,000 rows at
  // 2,000,000 members, whose UPDATE took 0.6 s), then changed cell by cell.
  const tables = ["reconciliation_days", "reconciliation_months"];
  for (const table of tables) await tx.query(`DELETE FROM ${table} WHERE as_of <> $1::date`, [asOfBefore]);
  if (asOf !== asOfBefore) await rekeyTables(tx, tables, asOf);
  const cells = (date: string) => `finding, ${date}, payer_key, plan_id, product_line`;
  const month = `date_trunc('month', day::timestamp)::date`;
  await tx.query(
    `CREATE TEMP TABLE d_reconciliation_days_difference ON COMMIT DROP AS
     SELECT ${cells("day")}, sum(findings)::int AS findings FROM d_findings_change GROUP BY ${cells("day")} HAVING sum(findings) <> 0`,
  );
  await tx.query(
    `CREATE TEMP TABLE d_reconciliation_months_difference ON COMMIT DROP AS
     SELECT finding, ${month} AS month, payer_key, plan_id, product_line, sum(findings)::int AS findings
     FROM d_reconciliation_days_difference GROUP BY finding, ${month}, payer_key, plan_id, product_line HAVING sum(findings) <> 0`,
  );
  await applyDifference(tx, asOf, FINDING_CELLS("reconciliation_days", "day"));
  await applyDifference(tx, asOf, FINDING_CELLS("reconciliation_months", "month"));
  await tx.exec(
    `DROP TABLE d_findings_change, d_reconciliation_days_difference, d_reconciliation_months_difference, d_reconciliation_days_changed, d_reconciliation_months_changed`,
  );
}

// A period [$2, $3] as the first day of its first whole month and the first day after its last
// whole month (equal or crossed when it holds none): whole months are read by month, the days
// before and after them by day.
const WHOLE_MONTHS = `SELECT (date_trunc('month', ($2::date - 1)::timestamp) + interval '1 month')::date AS first,
         date_trunc('month', ($3::date + 1)::timestamp)::date AS after`;

/** The query's counts from the stored ones of the snapshot's build, or null when that build has
 *  none (a snapshot derived outside an import: a rebuild, an earlier as-of date). Whether they
 *  were stored is told by the build's row of snapshot_counts, written in the same transaction. */
export async function countStoredFindings(
  db: Sql,
  viewer: Viewer,
  query: ReconciliationQuery,
  builtAt: string | null,
): Promise<Record<FindingKind, number> | null> {
  if (!builtAt) return null;
  const params = findingParams(viewer.payerScope, query);
  const rows = await db.query<{ finding: FindingKind | null; n: number }>(
    `SELECT r.finding, sum(r.findings)::int AS n
     FROM snapshot_counts c
     CROSS JOIN (${WHOLE_MONTHS}) w
     LEFT JOIN LATERAL (
       SELECT finding, payer_key, plan_id, product_line, findings FROM reconciliation_months
       WHERE as_of = c.as_of AND month >= w.first AND month < w.after
       UNION ALL
       SELECT finding, payer_key, plan_id, product_line, findings FROM reconciliation_days
       WHERE as_of = c.as_of AND (day BETWEEN $2::date AND least($3::date, w.first - 1) OR day BETWEEN greatest($2::date, w.first, w.after) AND $3::date)
     ) r ON r.finding = ANY ($9::text[]) AND ${findingConditions({ payerKey: "r.payer_key", planId: "r.plan_id", productLine: "r.product_line" })}
     WHERE c.as_of = $1::date AND c.built_at = $8::timestamptz
     GROUP BY r.finding`,
    [...params, builtAt, [...selectedKinds(query)]],
  );
  return rows.length === 0 ? null : countsByKind(rows);
}

/** The query's counts on a snapshot: stored with it by its import, else counted (and
 *  remembered for the build, as before the counts were stored). */
export async function countFindingsOfSnapshot(
  db: Sql,
  viewer: Viewer,
  query: ReconciliationQuery,
  snapshot: MeasureScope["snapshot"],
): Promise<Record<FindingKind, number>> {
  const stored = await countStoredFindings(db, viewer, query, snapshot.builtAt);
  if (stored) return stored;
  return memoizeBySnapshot({ db, snapshot }, `reconciliation-counts|${JSON.stringify([viewer.payerScope, query])}`, () => countFindings(db, viewer, query));
}
