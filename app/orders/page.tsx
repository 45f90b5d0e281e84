import Link from "next/link";
import { Suspense } from "react";
import { connection } from "next/server";
import { canSeeMemberLevel, MemberLevelAccessError } from "@/lib/access";
import { filtersToSearchParams, type SearchParams } from "@/lib/filters";
import { formatCount, formatDate, UNKNOWN_PLAN_NAME } from "@/lib/format";
import { DEFAULT_PAGE_SIZE, ORDER_AGE_BUCKETS, type OrderSortKey } from "@/lib/orders";
import { getOpenOrders } from "@/lib/views/open-orders";
import { nextDirection, parseWorklistPaging, worklistParams, WORKLIST_STATUSES } from "@/lib/views/worklist";
import { ActiveFilters } from "../_components/active-filters";
import { DefinitionLink } from "../_components/definition-link";
import { EmptyWarehouse } from "../_components/empty-warehouse";
import { payerOptions, planOptions } from "../_components/filter-options";
import { FilterBar } from "../_components/filter-bar";
import { Notices } from "../_components/notices";
import { auditPage, denyPage, pageContext } from "../_lib/request";
import { ScrollArea } from "../_components/scroll-area";
import { SectionSkeleton } from "../_components/section-skeleton";
import { OrderingNpiSection } from "./ordering-npi-table";

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

const STATUS_NAMES: Record<string, string> = { overdue: "Overdue (window closed)", in_window: "In window (not scanned yet)" };
const AGE_NAMES: Record<string, string> = { "0-30": "0–30 days", "31-60": "31–60 days", "61-90": "61–90 days", "91-180": "91–180 days", over_180: "over 180 days" };

export default async function OrdersPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  await connection();
  const params = await searchParams;
  const ctx = await pageContext("/orders", params);
  if (!ctx) return <EmptyWarehouse />;
  const { viewer } = ctx;
  if (!canSeeMemberLevel(viewer, "orders")) return denyPage(viewer, "/orders", params, new MemberLevelAccessError(viewer, "orders"));
  const { paging, filters: worklist, notices: pagingNotices } = parseWorklistPaging(params);
  const { query, total, rows } = await getOpenOrders(ctx, worklist, paging);
  await auditPage(viewer, "member_view", "/orders", params, rows.length, `worklist page ${paging.page} of ${total} open orders`);
  const pages = Math.max(1, Math.ceil(total / DEFAULT_PAGE_SIZE));
  const base = filtersToSearchParams(ctx.filters, {}, ctx.dataAsOf);
  const own = worklistParams(worklist);
  const href = (overrides: Record<string, string | null>) => {
    const p = new URLSearchParams(base);
    for (const [k, v] of Object.entries(own)) p.set(k, v);
    p.set("sort", paging.sort);
    p.set("dir", paging.direction);
    p.set("page", String(paging.page));
    for (const [k, v] of Object.entries(overrides)) {
      if (v === null) p.delete(k);
      else p.set(k, v);
    }
    return `/orders?${p.toString()}`;
  };
  // A member's record: the same period, window and as-of date, so that it explains this list.
  const memberHref = (memberId: string) => `/members/${encodeURIComponent(memberId)}${base.size ? `?${base.toString()}` : ""}`;
  const csv = new URLSearchParams(base);
  csv.set("status", query.statuses!.join(","));
  for (const [k, v] of Object.entries(own)) if (k !== "status") csv.set(k, v);
  csv.set("bom", "1");
  const narrowed = Object.keys(own).length > 0;
  const w = ctx.filters.window;

  return (
    <>
      <h1>Open orders</h1>
      <ActiveFilters ctx={ctx} />
      <FilterBar
        filters={ctx.filters}
        dataAsOf={ctx.dataAsOf}
        payers={payerOptions(ctx)}
        plans={planOptions(ctx)}
        showMeasure={false}
        preserve={{ ...own, sort: paging.sort, dir: paging.direction }}
      />
      <Notices notices={[...ctx.notices, ...pagingNotices]} />
      <form method="get" action="/orders" className="worklist-filters panel" aria-label="Narrow the list" data-testid="worklist-filters">
        {[...base.entries()].map(([k, v]) => (
          <input key={k} type="hidden" name={k} value={v} />
        ))}
        <input type="hidden" name="sort" value={paging.sort} />
        <input type="hidden" name="dir" value={paging.direction} />
        <label>
          Status
          <select name="status" defaultValue={worklist.statuses.length === 1 ? worklist.statuses[0] : ""}>
            <option value="">Overdue and in window</option>
            {WORKLIST_STATUSES.map((s) => (
              <option key={s} value={s}>
                {STATUS_NAMES[s]}
              </option>
            ))}
          </select>
        </label>
        <label>
          Days since the order
          <select name="age" defaultValue={worklist.ageBuckets.length === 1 ? worklist.ageBuckets[0] : ""}>
            <option value="">Any</option>
            {ORDER_AGE_BUCKETS.map((b) => (
              <option key={b} value={b}>
                {AGE_NAMES[b]}
              </option>
            ))}
          </select>
        </label>
        <label>
          Ordering NPI
          <input type="text" name="npi" inputMode="numeric" pattern="\d{10}" size={11} defaultValue={worklist.orderingNpi ?? ""} placeholder="10 digits" />
        </label>
        <label>
          Member id starts with
          <input type="search" name="member" size={12} maxLength={64} defaultValue={worklist.member ?? ""} />
        </label>
        <button type="submit">Apply</button>
        {narrowed ? (
          <Link href={href({ status: null, age: null, npi: null, member: null, page: "1" })} className="clear-link">
            Clear these
          </Link>
        ) : null}
      </form>
      <section className="panel" data-testid="worklist" aria-labelledby="worklist-title">
        <div className="panel-heading">
          <h2 id="worklist-title">
            <span data-testid="worklist-total">{formatCount(total)}</span> orders not scanned within {w} days{narrowed ? " (narrowed)" : ""}
          </h2>
          <DefinitionLink measure="order_follow_up" />
        </div>
        <p className="chart-note">
          Overdue: the {w}-day window has closed without a scan. In window: still within {w} days of the order, not scanned yet. Days open
          count to the as-of date.{" "}
          <a href={`/api/reports/orders.csv?${csv.toString()}`} data-testid="worklist-csv">
            Download this list as CSV
          </a>
          {" · "}
          <a href="#npi-rates-title" data-testid="npi-rates-link">
            Rates by ordering clinician
          </a>
        </p>
        {rows.length === 0 ? (
          <p className="not-available">No order not scanned for these filters.</p>
        ) : (
          <ScrollArea label="Open orders">
            <table data-testid="table-worklist" className="stack-on-phone">
              <caption>
                Orders not scanned, sorted by {COLUMNS.find((c) => c.key === paging.sort)?.label.toLowerCase()} ({paging.direction === "asc" ? "ascending" : "descending"}); page{" "}
                {paging.page} of {pages}
              </caption>
              <thead>
                <tr>
                  {COLUMNS.map((c) => {
                    const active = c.key === paging.sort;
                    return (
                      <th
                        key={c.label}
                        scope="col"
                        className={c.numeric ? "num" : undefined}
                        aria-sort={active ? (paging.direction === "asc" ? "ascending" : "descending") : undefined}
                      >
                        {c.key ? (
                          <Link href={href({ sort: c.key, dir: nextDirection(c.key, paging), page: "1" })} data-testid={`sort-${c.key}`}>
                            {c.label}
                            {active ? <span aria-hidden="true">{paging.direction === "asc" ? " ▲" : " ▼"}</span> : null}
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
                    <th scope="row" data-label="Member">
                      <Link href={memberHref(o.memberId)} title={`Member ${o.memberId}: coverage, orders, claims and why each counts`}>
                        {o.memberId}
                      </Link>
                    </th>
                    <td data-label="Order date">{formatDate(o.orderDate)}</td>
                    <td className="num" data-label="Days open">
                      {o.daysOpen === null ? "—" : formatCount(o.daysOpen)}
                    </td>
                    <td data-label="Status">
                      <span className={`status status-${o.status}`}>{o.status === "in_window" ? "in window" : o.status}</span>
                    </td>
                    <td data-label="Payer">{o.payerName}</td>
                    <td data-label="Plan">{o.planName ?? UNKNOWN_PLAN_NAME}</td>
                    <td data-label="Ordering NPI">
                      {o.orderingNpi ? (
                        <Link href={href({ npi: o.orderingNpi, page: "1" })} title={`Only the orders of NPI ${o.orderingNpi}`}>
                          {o.orderingNpi}
                        </Link>
                      ) : (
                        "—"
                      )}
                    </td>
                    <td data-label="Capture (3096F)">{o.source === "claim" ? "from claim" : o.captured ? "captured" : "not captured"}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </ScrollArea>
        )}
        <nav className="pager" aria-label="Pages">
          {paging.page > 1 ? <Link href={href({ page: String(paging.page - 1) })}>← Previous</Link> : <span />}
          <span data-testid="worklist-page">
            Page {paging.page} of {pages}
          </span>
          {paging.page < pages ? <Link href={href({ page: String(paging.page + 1) })}>Next →</Link> : <span />}
        </nav>
      </section>
      <Suspense fallback={<SectionSkeleton />}>
        <OrderingNpiSection
          ctx={ctx}
          narrowedTo={worklist.orderingNpi}
          measureHref={(m) => `${href({ measure: m === "order_follow_up" ? null : m })}#npi-rates-title`}
          npiHref={(npi) => href({ npi, page: "1" })}
        />
      </Suspense>
    </>
  );
}
