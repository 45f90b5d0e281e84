import type { Sql } from "@/db/client";
import { canSeeMemberLevel, type Viewer } from "../access";
import type { ClaimsLag } from "../measures";
import { memoizeBySnapshot } from "../measures/memo";
import { countOrdersByPayer } from "../orders";
import { FINDING_KINDS, listFindings, type Finding, type FindingKind } from "../reconciliation";
import { countFindingsOfSnapshot } from "../reconciliation/stored";
import { listImports, type ImportLogEntry } from "../warehouse/imports";
import { getWarehouseSummary, type WarehouseSummary } from "../warehouse/summary";
import type { ViewContext } from "./context";

/** What the data page shows: the warehouse's holdings and import log, and, once claims are
 *  loaded, each payer's orders and claims lag of the period and the reconciliation findings. */
export type DataView = {
  summary: WarehouseSummary;
  imports: ImportLogEntry[];
  claimsLag: Map<string, ClaimsLag>;
  /** Orders of the period by payer (not cancelled), the Unknown payer included. */
  ordersByPayer: Map<string, number>;
  counts: Record<FindingKind, number> | null;
  /** The first ten findings of each kind, for the roles that may read them. */
  examples: Record<FindingKind, Finding[]> | null;
};

const FINDINGS_SHOWN = 10;

/** The data page's reads, all sent at once (on PostgreSQL they run side by side on the pool).
 *  They go to `db`, the primary: the import log must show an upload the moment it is done,
 *  which a standby may not yet have. `ctx` is null before any claims are loaded. */
export async function getDataView(db: Sql, viewer: Viewer, ctx: ViewContext | null): Promise<DataView> {
  const query = ctx && { asOf: ctx.asOf, from: ctx.filters.from, to: ctx.filters.to, payers: ctx.filters.payers, plans: ctx.filters.plans, productLines: ctx.filters.productLines };
  // Orders by payer are read from the daily order cube and remembered per snapshot build
  // (lib/measures/memo.ts); the finding counts were stored with the snapshot by its import.
  const ordersQuery = query && { ...query, window: ctx!.filters.window, statuses: ["completed", "overdue", "in_window"] as const };
  const [summary, imports, counts, ordersByPayer, examples] = await Promise.all([
    getWarehouseSummary(db, viewer),
    listImports(db),
    query ? countFindingsOfSnapshot(db, viewer, query, ctx!.snapshot) : null,
    ordersQuery
      ? memoizeBySnapshot({ db, snapshot: ctx!.snapshot }, `data-orders-by-payer|${JSON.stringify([viewer.payerScope, ordersQuery])}`, () => countOrdersByPayer(db, viewer, ordersQuery))
      : new Map<string, number>(),
    query && canSeeMemberLevel(viewer, "reconciliation")
      ? Promise.all(FINDING_KINDS.map(async (kind) => [kind, await listFindings(db, viewer, { ...query, findings: [kind], pageSize: FINDINGS_SHOWN })] as const)).then(
          (lists) => Object.fromEntries(lists) as Record<FindingKind, Finding[]>,
        )
      : null,
  ]);
  return { summary, imports, claimsLag: ctx ? ctx.claimsLag.byPayer : new Map(), ordersByPayer, counts, examples };
}
