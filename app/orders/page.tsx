import Link from "next/link";
import { connection } from "next/server";
import { canSeeMemberLevel, MemberLevelAccessError } from "@/lib/access";
import { filtersToSearchParams, type SearchParams } from "@/lib/filters";
import { formatCount, formatDate } from "@/lib/format";
import { countOrders, DEFAULT_PAGE_SIZE, listOrders, type OrderQuery, type OrderSortKey } from "@/lib/orders";

import { parseWorklistPaging } from "@/lib/views/worklist";
import { ActiveFilters } from "../_components/active-filters";
import { EmptyWarehouse } from "../_components/empty-warehouse";
import { FilterBar } from "../_components/filter-bar";
import { Notices } from "../_components/notices";
import { auditPage, denyPage, pageContext } from "../_lib/request";

const COLUMNS: { key: OrderSortKey | null; label: string; numeric?: boolean }[] = [
  { key: "member_id", label: "Member" },
  { key: "order_date", label: "Order date" },
  { key: "days_open", label: "Days open", numeric: true },
  { key: null, label: "Status" },
  { key: "payer", label: "Payer" },
  { key: "plan", label: "Plan" },
  { key: null, label: "Ordering NPI" },
  { key: null, label: "Capture (3096F)" },
];

export default async function OrdersPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  await connection();
  const params = await searchParams;
  const ctx = await pageContext("/orders", params);
  if (!ctx) return <EmptyWarehouse />;
  const { db, viewer } = ctx;
  if (!canSeeMemberLevel(viewer, "orders")) return denyPage(viewer, "/orders", params, new MemberLevelAccessError(viewer, "orders"));
  const { paging, notices: pagingNotices } = parseWorklistPaging(params);
  const query: OrderQuery = {
    asOf: ctx.asOf,
    from: ctx.filters.from,
    to: ctx.filters.to,
    window: ctx.filters.window,
    payers: ctx.filters.payers,
    plans: ctx.filters.plans,
    productLines: ctx.filters.productLines,
    statuses: ["overdue", "in_window"],
  };
  const [total, rows] = await Promise.all([
    countOrders(db, viewer, query),
    listOrders(db, viewer, { ...query, sort: paging.sort, direction: paging.direction, page: paging.page, pageSize: DEFAULT_PAGE_SIZE }),
  ]);
  await auditPage(viewer, "member_view", "/orders", params, rows.length, `worklist page ${paging.page} of ${total} open orders`);
  const pages = Math.max(1, Math.ceil(total / DEFAULT_PAGE_SIZE));
  const base = filtersToSearchParams(ctx.filters, {}, ctx.dataAsOf);
  const href = (overrides: Record<string, string>) => {
    const p = new URLSearchParams(base);
    p.set("sort", paging.sort);
    p.set("dir", paging.direction);
    p.set("page", String(paging.page));
    for (const [k, v] of Object.entries(overrides)) p.set(k, v);
    return `/orders?${p.toString()}`;
  };
  const csv = new URLSearchParams(base);
  csv.set("status", "overdue,in_window");

  return (
    <>
      <h1>Open orders</h1>
      <ActiveFilters ctx={ctx} />
      <FilterBar filters={ctx.filters} dataAsOf={ctx.dataAsOf} payers={ctx.dims.payers.map((p) => ({ key: p.key, name: p.name }))}
        plans={ctx.dims.plans.map((p) => ({ key: p.planId, name: p.planName, payerKey: p.payerKey }))} showMeasure={false} />
      <Notices notices={[...ctx.notices, ...pagingNotices]} />
      <section className="panel" data-testid="worklist">
        <h2>
          <span data-testid="worklist-total">{formatCount(total)}</span> orders not completed within {ctx.filters.window} days
        </h2>
        <p className="chart-note">
          Overdue: the window has closed without a scan. In window: still within {ctx.filters.window} days of the order. Days open count to
          the as-of date.{" "}
          <a href={`/api/reports/orders.csv?${csv.toString()}`} data-testid="worklist-csv">
            Download this list as CSV
          </a>
        </p>
        {rows.length === 0 ? (
          <p className="not-available">No open orders for these filters.</p>
        ) : (
          <div className="table-scroll">
            <table data-testid="table-worklist">
              <thead>
                <tr>
                  {COLUMNS.map((c) => {
                    const active = c.key === paging.sort;
                    const next = active && paging.direction === "desc" ? "asc" : "desc";
                    return (
                      <th
                        key={c.label}
                        scope="col"
                        className={c.numeric ? "num" : undefined}
                        aria-sort={active ? (paging.direction === "asc" ? "ascending" : "descending") : undefined}
                      >
                        {c.key ? (
                          <Link href={href({ sort: c.key, dir: next, page: "1" })}>
                            {c.label}
                            {active ? (paging.direction === "asc" ? " ▲" : " ▼") : ""}
                          </Link>
                        ) : (
                          c.label
                        )}
                      </th>
                    );
                  })}
                </tr>
              </thead>
              <tbody>
                {rows.map((o) => (
                  <tr key={o.orderId} data-order={o.orderId}>
                    <td>{o.memberId}</td>
                    <td>{formatDate(o.orderDate)}</td>
                    <td className="num">{o.daysOpen === null ? "—" : formatCount(o.daysOpen)}</td>
                    <td>
                      <span className={`status status-${o.status}`}>{o.status === "in_window" ? "in window" : o.status}</span>
                    </td>
                    <td>{o.payerName}</td>
                    <td>{o.planName ?? "No plan attributed"}</td>
                    <td>{o.orderingNpi ?? "—"}</td>
                    <td>{o.source === "claim" ? "from claim" : o.captured ? "captured" : "not captured"}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <nav className="pager" aria-label="Pages">
          {paging.page > 1 ? <Link href={href({ page: String(paging.page - 1) })}>← Previous</Link> : <span />}
          <span data-testid="worklist-page">
            Page {paging.page} of {pages}
          </span>
          {paging.page < pages ? <Link href={href({ page: String(paging.page + 1) })}>Next →</Link> : <span />}
        </nav>
      </section>
    </>
  );
}
