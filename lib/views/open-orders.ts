import { memoizeBySnapshot } from "../measures/memo";
import { countOrders, DEFAULT_PAGE_SIZE, listOrders, type OrderQuery, type OrderRow } from "../orders";
import type { ViewContext } from "./context";
import { WORKLIST_STATUSES, worklistOrderQuery, type WorklistFilters, type WorklistPaging } from "./worklist";

/** One page of the worklist (/orders): the open orders of the view and the worklist's own
 *  filters, and how many there are in all. */
export type OpenOrders = { query: OrderQuery; total: number; rows: OrderRow[] };

export async function getOpenOrders(ctx: ViewContext, worklist: WorklistFilters, paging: WorklistPaging): Promise<OpenOrders> {
  const { db, viewer } = ctx;
  const query = worklistOrderQuery(ctx.asOf, ctx.filters, worklist.statuses.length ? worklist.statuses : [...WORKLIST_STATUSES], worklist);
  const [total, rows] = await Promise.all([
    // The count comes from the daily order cube, except with an NPI or member condition, when it
    // reads the period's orders (lib/orders/cube-counts.ts); either way it is the same for every
    // page and sort of the list until the next import: remembered per snapshot build.
    memoizeBySnapshot(ctx, `worklist-count|${JSON.stringify([viewer.payerScope, query])}`, () => countOrders(db, viewer, query)),
    listOrders(db, viewer, { ...query, sort: paging.sort, direction: paging.direction, page: paging.page, pageSize: DEFAULT_PAGE_SIZE }),
  ]);
  return { query, total, rows };
}
