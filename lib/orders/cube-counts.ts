import type { Sql } from "@/db/client";
import type { Viewer } from "../access";
import { SHARED_CONDITIONS, sharedParams } from "./sql";
import type { OrderQuery } from "./types";

// How many orders a query selects, read from the daily cube `order_days` (per order day, payer,
// plan and product line: orders, live ones, and those done within each window W) instead of
// counting `order_facts` rows. Every condition of an order query but two is a condition on the
// order's day, payer, plan or product line, so the cube answers it exactly at a cost that follows
// days × plans rather than orders (at 2,000,000 members the worklist's count fell from about
// 1.5 s to milliseconds). The two that are not — the ordering NPI and a member id prefix — are
// not in the cube: `countableFromCube` says so and the caller counts the orders themselves.
//
// Per cube row, by D4 status for W: cancelled = orders − live; completed = done_W; and the
// others (live − done_W) are all overdue when the day + W is on or before the as-of date, else
// all in window — the status of an open order depends on its day alone.

/** Whether the cube can count this query (no condition on the ordering NPI or the member). */
export function countableFromCube(query: OrderQuery): boolean {
  return !query.orderingNpi && !query.memberPrefix;
}

const DONE = `CASE $4::int WHEN 30 THEN o.done_30 WHEN 60 THEN o.done_60 WHEN 90 THEN o.done_90 ELSE o.done_180 END`;
const OPEN_STATUS = `CASE WHEN o.order_date + $4::int <= $1::date THEN 'overdue' ELSE 'in_window' END`;
/** The orders of a cube row whose status is one of $9 (all of them when $9 is null). */
const SELECTED = `CASE WHEN $9::text[] IS NULL THEN o.orders ELSE
      CASE WHEN 'cancelled' = ANY ($9::text[]) THEN o.orders - o.live ELSE 0 END
    + CASE WHEN 'completed' = ANY ($9::text[]) THEN ${DONE} ELSE 0 END
    + CASE WHEN ${OPEN_STATUS} = ANY ($9::text[]) THEN o.live - ${DONE} ELSE 0 END
  END`;

/** The cube rows of the query's period and restrictions, with the parameters of the order rows'
 *  reads (lib/orders/sql.ts; the NPI and member conditions, $11 and $12, are not the cube's). */
function cubeFrom(viewer: Viewer, q: OrderQuery): { text: string; params: unknown[] } {
  return { text: `FROM order_days o WHERE ${SHARED_CONDITIONS}`, params: sharedParams(viewer, q) };
}

/** countOrders from the cube; the query must be countableFromCube. */
export async function countOrdersFromCube(db: Sql, viewer: Viewer, query: OrderQuery): Promise<number> {
  const from = cubeFrom(viewer, query);
  const [row] = await db.query<{ n: number }>(`SELECT coalesce(sum(${SELECTED}), 0)::int AS n ${from.text}`, from.params);
  return row?.n ?? 0;
}

/** countOrdersByPayer from the cube (payers with no selected order left out, as a count of
 *  order rows would); the query must be countableFromCube. */
export async function countOrdersByPayerFromCube(db: Sql, viewer: Viewer, query: OrderQuery): Promise<Map<string, number>> {
  const from = cubeFrom(viewer, query);
  const rows = await db.query<{ payer_key: string; n: number }>(
    `SELECT o.payer_key, sum(${SELECTED})::int AS n ${from.text} GROUP BY o.payer_key HAVING sum(${SELECTED}) > 0`,
    from.params,
  );
  return new Map(rows.map((r) => [r.payer_key, r.n]));
}
