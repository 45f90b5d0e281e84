import Link from "next/link";
import { headers } from "next/headers";
import { connection } from "next/server";
import { canSeeMemberLevel } from "@/lib/access";
import { reportUrl, type SearchParams } from "@/lib/filters";
import { MEASURE_NAMES } from "@/lib/format";
import { GROUP_BYS, groupByApplies } from "@/lib/measures";
import { ActiveFilters } from "../_components/active-filters";
import { DefinitionLink } from "../_components/definition-link";
import { EmptyWarehouse } from "../_components/empty-warehouse";
import { payerOptions } from "../_components/filter-options";
import { FilterBar } from "../_components/filter-bar";
import { Notices } from "../_components/notices";
import { pageContext } from "../_lib/request";

const GROUP_NAMES: Record<string, string> = { payer: "payer", plan: "plan", month: "month", product_line: "product line", ordering_npi: "ordering clinician (NPI)" };

export default async function ReportsPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  await connection();
  const ctx = await pageContext("/reports", await searchParams);
  if (!ctx) return <EmptyWarehouse />;
  // Links for people carry bom=1 (Excel then reads the file as UTF-8); the curl lines, for
  // scripts, do not.
  const url = (report: "measure-summary" | "orders" | "reconciliation", extra: Record<string, string> = {}) => reportUrl(report, ctx.filters, ctx.dataAsOf, {}, extra);
  const download = (report: "measure-summary" | "orders" | "reconciliation", extra: Record<string, string> = {}) => url(report, { ...extra, bom: "1" });
  const incoming = await headers();
  const origin = process.env.APP_URL ?? `${incoming.get("x-forwarded-proto") ?? "http"}://${incoming.get("host") ?? "localhost:3000"}`;
  const curl = (path: string) => `curl -H "Authorization: Bearer $DXA_TOKEN" -OJ '${origin}${path}'`;
  const { viewer } = ctx;
  const alwaysSuppressed = viewer.payerScope !== null;
  // By ordering NPI only for the order-based measures: screening and post-fracture have no
  // ordering clinician (the report answers 400 if asked).
  const groupBys = GROUP_BYS.filter((g) => groupByApplies(ctx.filters.measure, g));
  return (
    <>
      <h1>Reports</h1>
      <ActiveFilters ctx={ctx} />
      <FilterBar filters={ctx.filters} dataAsOf={ctx.dataAsOf} payers={payerOptions(ctx)} />
      <Notices notices={ctx.notices} />
      <p className="lede">
        CSV files with the current filters, the same numbers as the pages (UTF-8, RFC 4180, ISO dates, rates as decimals with 4 places). Each
        file&apos;s name states the report, its filters, the period and the as-of date; a file whose small cells are hidden ends in{" "}
        <code>for-sharing-small-cells-hidden</code>, so that it can never be mistaken for an internal one.
        {alwaysSuppressed ? " Small cells are hidden in every file you download (counts from 1 to 10 read <11)." : ""}
      </p>
      <p className="chart-note">
        Downloads from this page open correctly in Excel: they start with a UTF-8 byte-order mark (<code>bom=1</code>), without which
        Excel shows <code>≥11</code> and accented plan names garbled. Scripts can leave it out, as in the <code>curl</code> lines, which
        use an API token (<Link href="/account">create one on your account page</Link>).
      </p>

      <section className="panel report" data-testid="report-measure-summary" aria-labelledby="report-summary-title">
        <div className="panel-heading">
          <h2 id="report-summary-title">Measure summary — {MEASURE_NAMES[ctx.filters.measure]}</h2>
          <DefinitionLink measure={ctx.filters.measure} />
        </div>
        <p>One row per group and a last total row: denominator, numerator, rate with its 95% interval, pending count, flags. Aggregate only.</p>
        {alwaysSuppressed ? null : (
          <>
            <h3>For the quality team (every count shown)</h3>
            <p className="download-row">
              {groupBys.map((g) => (
                <a key={g} className="download" href={download("measure-summary", { groupBy: g })} data-testid={`download-summary-${g}`}>
                  By {GROUP_NAMES[g]}
                </a>
              ))}
              <a className="download" href={download("measure-summary", { groupBy: "month", series: "payer" })} data-testid="download-summary-month-payer">
                By month and payer
              </a>
            </p>
          </>
        )}
        <h3>For sharing with a payer (counts from 1 to 10 read &lt;11)</h3>
        <p className="download-row">
          {groupBys.map((g) => (
            <a key={`s${g}`} className="download secondary" href={download("measure-summary", { groupBy: g, suppress: "1" })} data-testid={`download-summary-${g}-shared`}>
              By {GROUP_NAMES[g]}, for sharing
            </a>
          ))}
        </p>
        <p className="columns">
          Columns: <code>measure,period_start,period_end,payer,plan,product_line,month,denominator,numerator,rate,ci_low,ci_high,pending,window_days,as_of,flags</code>.
          A column the file is not grouped on reads <code>All</code>, or the filter&apos;s value when one is set. By ordering clinician, a
          last column <code>ordering_npi</code> follows <code>flags</code>.
          {groupBys.includes("ordering_npi") ? null : " By ordering clinician is for the order-based measures only: this measure has no ordering NPI."}
        </p>
        <pre>{curl(url("measure-summary", { groupBy: "payer" }))}</pre>
      </section>

      {canSeeMemberLevel(viewer, "orders") ? (
        <section className="panel report" data-testid="report-orders" aria-labelledby="report-orders-title">
          <h2 id="report-orders-title">Orders (member-level)</h2>
          <p>
            Every order of the period with its source, attribution, status for the {ctx.filters.window}-day window, completing study and capture.
            For quality officers only: never for sharing.
          </p>
          <p className="download-row">
            <a className="download" href={download("orders")} data-testid="download-orders">
              All orders
            </a>
            <a className="download secondary" href={download("orders", { status: "overdue,in_window" })} data-testid="download-orders-open">
              Open orders only (overdue and in window)
            </a>
          </p>
          <p className="columns">
            Columns: <code>order_id,source,member_id,order_date,payer,plan,product_line,ordering_npi,status,study_date,days_to_scan,result_documented,captured</code>
          </p>
          <pre>{curl(url("orders"))}</pre>
        </section>
      ) : null}

      {canSeeMemberLevel(viewer, "reconciliation") ? (
        <section className="panel report" data-testid="report-reconciliation" aria-labelledby="report-reconciliation-title">
          <h2 id="report-reconciliation-title">Reconciliation</h2>
          <p>
            One row per finding: studies without an order in the 120 days before, EHR orders not captured by 3096F, split bills missing a
            component, other bone density codes. Member-level: never for sharing.
          </p>
          <p className="download-row">
            <a className="download" href={download("reconciliation")} data-testid="download-reconciliation">
              All findings
            </a>
          </p>
          <p className="columns">
            Columns: <code>finding,member_id,date,payer,plan,detail</code>
          </p>
          <pre>{curl(url("reconciliation"))}</pre>
        </section>
      ) : null}
    </>
  );
}
