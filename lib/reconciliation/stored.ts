import type { Sql } from "@/db/client";
import type { Viewer } from "../access";
import { memoizeBySnapshot } from "../measures/memo";
import type { MeasureScope } from "../measures/scope";
import { countFindings, countsByKind, findingConditions, findingParams, findingsFrom, selectedKinds, type FindingKind, type ReconciliationQuery } from "./index";

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
  const [{ nestloop }] = (await tx.query<{ nestloop: string }>(`SELECT current_setting('enable_nestloop') AS nestloop`)) as [{ nestloop: string }];
  await tx.exec(`SET LOCAL enable_nestloop = off`);
  await tx.query(
    `INSERT INTO reconciliation_days (as_of, finding, day, payer_key, plan_id, product_line, findings)
     SELECT $1::date, f.finding, f.date, f.payer_key, f.plan_id, pl.product_line, count(*)::int
     ${every.text}
     GROUP BY f.finding, f.date, f.payer_key, f.plan_id, pl.product_line`,
    every.params,
  );
  await tx.exec(`SET LOCAL enable_nestloop = ${nestloop === "off" ? "off" : "on"}`);
  await tx.query(
    `INSERT INTO reconciliation_months (as_of, finding, month, payer_key, plan_id, product_line, findings)
     SELECT as_of, finding, date_trunc('month', day::timestamp)::date, payer_key, plan_id, product_line, sum(findings)::int
     FROM reconciliation_days WHERE as_of = $1::date
     GROUP BY as_of, finding, date_trunc('month', day::timestamp)::date, payer_key, plan_id, product_line`,
    [asOf],
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
