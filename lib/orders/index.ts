import type { Sql } from "@/db/client";
import type { ProductLine } from "../measures/types";
import { openCursor, type RowCursor, type SqlStatement } from "@/db/cursor";
import { assertMemberLevel, type Viewer } from "../access";
import { countableFromCube, countOrdersByPayerFromCube, countOrdersFromCube } from "./cube-counts";
import { SHARED_CONDITIONS, sharedParams } from "./sql";
import {
  DEFAULT_PAGE_SIZE,
  MAX_PAGE_SIZE,
  type OrderListParams,
  type OrderQuery,
  type OrderRow,
  type OrderSortKey,
  type OrderStatus,
  type SortDirection,
} from "./types";

export * from "./types";
export { MemberLevelAccessError, assertMemberLevel } from "../access";

// Member-level reads of orders (SPEC section 10: separate from the aggregate reads of
// lib/measures, and for quality officers only). The list, its count and the CSV stream share
// one FROM … WHERE, built here once.

/** D4 for the window W ($4) on the snapshot's as-of date ($1). */
const STATUS = `CASE
    WHEN o.status = 'cancelled' THEN 'cancelled'
    WHEN o.days_to_scan <= $4::int THEN 'completed'
    WHEN o.order_date + $4::int <= $1::date THEN 'overdue'
    ELSE 'in_window' END`;
const COMPLETED = `(o.status <> 'cancelled' AND o.days_to_scan <= $4::int)`;
const OPEN = `(o.status <> 'cancelled' AND (o.days_to_scan IS NULL OR o.days_to_scan > $4::int))`;
const DAYS_OPEN = `CASE WHEN ${OPEN} THEN $1::date - o.order_date END`;

/** A LIKE pattern matching values that start with `prefix` taken literally. */
export function prefixPattern(prefix: string): string {
  return `${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** FROM … WHERE of the orders a query selects for a viewer, and its parameters ($1 as-of,
 *  $2–$3 period, $4 W, $5 payers, $6 plans, $7 product lines, $8 the viewer's payer scope,
 *  $9 statuses, $10 age buckets, $11 ordering NPI, $12 member id prefix as a LIKE pattern).
 *  The period condition uses order_facts_period_idx. */
function ordersFrom(viewer: Viewer, q: OrderQuery): SqlStatement {
  return {
    text: `FROM order_facts o
      JOIN payers p ON p.key = o.payer_key
      LEFT JOIN plans pl ON pl.plan_id = o.plan_id
      WHERE ${SHARED_CONDITIONS}
        AND ($9::text[] IS NULL OR ${STATUS} = ANY ($9::text[]))
        AND ($11::text IS NULL OR o.ordering_npi = $11::text)
        AND ($12::text IS NULL OR o.member_id LIKE $12::text)`,
    params: [...sharedParams(viewer, q), q.orderingNpi || null, q.memberPrefix ? prefixPattern(q.memberPrefix) : null],
  };
}

const SELECT = `SELECT o.order_id, o.source::text AS source, o.member_id, o.order_date,
    o.payer_key, p.display_name AS payer_name, o.plan_id, pl.plan_name, o.product_line::text AS product_line,
    o.ordering_npi, ${STATUS} AS status,
    CASE WHEN ${COMPLETED} THEN o.study_date END AS study_date,
    CASE WHEN ${COMPLETED} THEN o.days_to_scan END AS days_to_scan,
    ${COMPLETED} AND o.result_documented AS result_documented,
    o.captured, ${DAYS_OPEN} AS days_open`;

// Byte order (COLLATE "C") wherever text is sorted, so that both engines list alike whatever
// the server's locale; the order id last makes every order total, so pages never overlap.
const SORTS: Record<OrderSortKey, string[]> = {
  order_date: ["o.order_date"],
  days_open: [DAYS_OPEN],
  payer: ["p.sort_order", `p.display_name COLLATE "C"`],
  plan: [`pl.plan_name COLLATE "C"`, `o.plan_id COLLATE "C"`],
  member_id: [`o.member_id COLLATE "C"`],
};

const OPEN_STATUSES: readonly OrderStatus[] = ["overdue", "in_window"];

/** ORDER BY of a page. Days open is the as-of date minus the order date for every open order:
 *  when only open orders are listed (the worklist), sorting on it is sorting on the order date
 *  the other way round, which order_facts_period_idx gives in order, so that a page is read by
 *  walking the index to its first rows instead of sorting every open order of the period
 *  (about 1.5 s at 2,000,000 members). Rows and order are the same either way: the tie-breaks
 *  (order date, then order id) are kept. */
function orderBy(sort: OrderSortKey, direction: SortDirection, statuses?: readonly OrderStatus[]): string {
  const dir = direction === "desc" ? "DESC" : "ASC";
  const tieBreak = `o.order_id COLLATE "C" ${dir}`;
  const onlyOpen = !!statuses?.length && statuses.every((s) => OPEN_STATUSES.includes(s));
  // The order date is never null: no NULLS clause, so either direction matches the index.
  if (sort === "days_open" && onlyOpen) return `ORDER BY o.order_date ${direction === "desc" ? "ASC" : "DESC"}, ${tieBreak}`;
  const keys = SORTS[sort].map((k) => `${k} ${dir} NULLS LAST`);
  if (sort !== "order_date") keys.push("o.order_date ASC");
  keys.push(tieBreak);
  return `ORDER BY ${keys.join(", ")}`;
}

type OrderRecord = {
  order_id: string;
  source: "ehr" | "claim";
  member_id: string;
  order_date: string;
  payer_key: string;
  payer_name: string;
  plan_id: string | null;
  plan_name: string | null;
  product_line: ProductLine | null;
  ordering_npi: string | null;
  status: OrderStatus;
  study_date: string | null;
  days_to_scan: number | null;
  result_documented: boolean;
  captured: boolean;
  days_open: number | null;
};

function toOrderRow(r: OrderRecord): OrderRow {
  return {
    orderId: r.order_id,
    source: r.source,
    memberId: r.member_id,
    orderDate: r.order_date,
    payerKey: r.payer_key,
    payerName: r.payer_name,
    planId: r.plan_id,
    planName: r.plan_name,
    productLine: r.product_line,
    orderingNpi: r.ordering_npi,
    status: r.status,
    studyDate: r.study_date,
    daysToScan: r.days_to_scan,
    resultDocumented: r.result_documented,
    captured: r.captured,
    daysOpen: r.days_open,
  };
}

function pageOf(params: OrderListParams): { limit: number; offset: number } {
  const size = Math.trunc(params.pageSize ?? DEFAULT_PAGE_SIZE);
  const limit = Number.isFinite(size) ? Math.min(Math.max(size, 1), MAX_PAGE_SIZE) : DEFAULT_PAGE_SIZE;
  const page = Math.trunc(params.page ?? 1);
  return { limit, offset: (Number.isFinite(page) && page > 1 ? page - 1 : 0) * limit };
}

/** One page of the orders the query selects, sorted (default: order date, oldest first).
 *  Member-level: throws MemberLevelAccessError for a viewer who may see aggregates only. */
export async function listOrders(db: Sql, viewer: Viewer, params: OrderListParams): Promise<OrderRow[]> {
  assertMemberLevel(viewer, "orders");
  const from = ordersFrom(viewer, params);
  const { limit, offset } = pageOf(params);
  const n = from.params.length;
  const rows = await db.query<OrderRecord>(
    `${SELECT} ${from.text} ${orderBy(params.sort ?? "order_date", params.direction ?? "asc", params.statuses)}
     LIMIT $${n + 1} OFFSET $${n + 2}`,
    [...from.params, limit, offset],
  );
  return rows.map(toOrderRow);
}

/** How many orders the query selects (every page of listOrders together). Member-level like
 *  the list it counts. Read from the daily cube when it can answer (./cube-counts.ts). */
export async function countOrders(db: Sql, viewer: Viewer, query: OrderQuery): Promise<number> {
  assertMemberLevel(viewer, "orders");
  return countableFromCube(query) ? countOrdersFromCube(db, viewer, query) : countOrderRows(db, viewer, query);
}

/** countOrders by counting the order rows themselves: for the conditions the cube has not
 *  (ordering NPI, member), and the check that the cube agrees (test/integration). */
export async function countOrderRows(db: Sql, viewer: Viewer, query: OrderQuery): Promise<number> {
  const from = ordersFrom(viewer, query);
  const [row] = await db.query<{ n: number }>(`SELECT count(*)::int AS n ${from.text}`, from.params);
  return row?.n ?? 0;
}

/** Every order the query selects, oldest first, read through a server-side cursor a batch at
 *  a time (for orders.csv: constant memory whatever the size). The caller must read to the
 *  end or close it. */
export async function openOrderCursor(db: Sql, viewer: Viewer, query: OrderQuery, fetchRows?: number): Promise<RowCursor<OrderRow>> {
  assertMemberLevel(viewer, "orders");
  const from = ordersFrom(viewer, query);
  return openCursor(db, { text: `${SELECT} ${from.text} ${orderBy("order_date", "asc")}`, params: from.params }, toOrderRow, fetchRows);
}

/** How many orders the query selects, by payer key: an aggregate (the data page's completeness
 *  table, Unknown payer included), so not member-level; the viewer's payer scope applies. */
export async function countOrdersByPayer(db: Sql, viewer: Viewer, query: OrderQuery): Promise<Map<string, number>> {
  return countableFromCube(query) ? countOrdersByPayerFromCube(db, viewer, query) : countOrderRowsByPayer(db, viewer, query);
}

/** countOrdersByPayer by counting the order rows themselves (see countOrderRows). */
export async function countOrderRowsByPayer(db: Sql, viewer: Viewer, query: OrderQuery): Promise<Map<string, number>> {
  const from = ordersFrom(viewer, query);
  const rows = await db.query<{ payer_key: string; n: number }>(`SELECT o.payer_key, count(*)::int AS n ${from.text} GROUP BY o.payer_key`, from.params);
  return new Map(rows.map((r) => [r.payer_key, r.n]));
}
