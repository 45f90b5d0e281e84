import Link from "next/link";
import { headers } from "next/headers";
import { connection } from "next/server";
import { canSeeMemberLevel } from "@/lib/access";
import { reportUrl, type SearchParams } from "@/lib/filters";
import { MEASURE_NAMES } from "@/lib/format";
import { GROUP_BYS } from "@/lib/measures";
import { ActiveFilters } from "../_components/active-filters";
import { EmptyWarehouse } from "../_components/empty-warehouse";
import { FilterBar } from "../_components/filter-bar";
import { Notices } from "../_components/notices";
import { pageContext } from "../_lib/request";

const GROUP_NAMES: Record<string, string> = { payer: "payer", plan: "plan", month: "month", product_line: "product line" };

export default async function ReportsPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  await connection();
  const ctx = await pageContext("/reports", await searchParams);
  if (!ctx) return <EmptyWarehouse />;
  const url = (report: "measure-summary" | "orders" | "reconciliation", extra: Record<string, string> = {}) =>
    reportUrl(report, ctx.filters, ctx.dataAsOf, {}, extra);
  const incoming = await headers();
  const origin = process.env.APP_URL ?? `${incoming.get("x-forwarded-proto") ?? "http"}://${incoming.get("host") ?? "localhost:3000"}`;
  const curl = (path: string) => `curl -H "Authorization: Bearer $DXA_TOKEN" -OJ '${origin}${path}'`;
  const { viewer } = ctx;
  return (
    <>
      <h1>Reports</h1>
      <ActiveFilters ctx={ctx} />
      <FilterBar filters={ctx.filters} dataAsOf={ctx.dataAsOf} payers={ctx.dims.payers.map((p) => ({ key: p.key, name: p.name }))} />
      <Notices notices={ctx.notices} />
      <p className="lede">
        CSV files with the current filters, the same numbers as the pages (UTF-8, RFC 4180, ISO dates, rates with 4 decimals). Links are
        stable: scripts can fetch them on a schedule with an API token (<Link href="/account">create one on your account page</Link>), sent as{" "}
        <code>Authorization: Bearer …</code>.
        {ctx.suppress ? " Small cells are hidden in every file you download (counts from 1 to 10 read <11)." : ""}
      </p>

      <section className="panel report" data-testid="report-measure-summary">
        <h2>Measure summary — {MEASURE_NAMES[ctx.filters.measure]}</h2>
        <p>
          One row per group and a last total row: denominator, numerator, rate with its 95% interval, pending count, flags. Aggregate only —
          the version marked for sharing with a payer hides small cells (1–10 shown as <code>&lt;11</code>).
        </p>
        <p>
          {GROUP_BYS.map((g) => (
            <a key={g} className="download" href={url("measure-summary", { groupBy: g })} data-testid={`download-summary-${g}`}>
              By {GROUP_NAMES[g]}
            </a>
          ))}
          {GROUP_BYS.map((g) => (
            <a key={`s${g}`} className="download secondary" href={url("measure-summary", { groupBy: g, suppress: "1" })}>
              By {GROUP_NAMES[g]}, for sharing
            </a>
          ))}
        </p>
        <p className="columns">
          <code>measure,period_start,period_end,payer,plan,product_line,month,denominator,numerator,rate,ci_low,ci_high,pending,window_days,as_of,flags</code>
        </p>
        <pre>{curl(url("measure-summary", { groupBy: "payer" }))}</pre>
      </section>

      {canSeeMemberLevel(viewer, "orders") ? (
      <section className="panel report" data-testid="report-orders">
        <h2>Orders (member-level)</h2>
        <p>Every order of the period with its source, attribution, status for the {ctx.filters.window}-day window, completing study and capture. For quality officers only.</p>
        <p>
          <a className="download" href={url("orders")} data-testid="download-orders">
            All orders
          </a>
          <a className="download secondary" href={url("orders", { status: "overdue,in_window" })}>
            Open orders only
          </a>
        </p>
        <p className="columns">
          <code>order_id,source,member_id,order_date,payer,plan,product_line,ordering_npi,status,study_date,days_to_scan,result_documented,captured</code>
        </p>
        <pre>{curl(url("orders"))}</pre>
      </section>
      ) : null}

      {canSeeMemberLevel(viewer, "reconciliation") ? (
      <section className="panel report" data-testid="report-reconciliation">
        <h2>Reconciliation</h2>
        <p>
          One row per finding: studies without an order in the 120 days before, EHR orders not captured by 3096F, split bills missing a
          component, other bone density codes.
        </p>
        <p>
          <a className="download" href={url("reconciliation")} data-testid="download-reconciliation">
            All findings
          </a>
        </p>
        <p className="columns">
          <code>finding,member_id,date,payer,plan,detail</code>
        </p>
        <pre>{curl(url("reconciliation"))}</pre>
      </section>
      ) : null}
    </>
  );
}
