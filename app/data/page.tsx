import Link from "next/link";
import { connection } from "next/server";
import { getDatabase } from "@/db";
import { AccessDeniedError, can, canSeeMemberLevel } from "@/lib/access";
import { filtersToSearchParams, type SearchParams } from "@/lib/filters";
import { formatCount, formatDate, formatImportProblem, formatPeriod, UNKNOWN_PLAN_NAME } from "@/lib/format";
import { UNKNOWN_PAYER_KEY } from "@/lib/measures/dimensions";
import { FINDING_KINDS, type Finding, type FindingKind } from "@/lib/reconciliation";
import { getDataView } from "@/lib/views/data";
import { ActiveFilters } from "../_components/active-filters";
import { payerOptions } from "../_components/filter-options";
import { FilterBar } from "../_components/filter-bar";
import { Notices } from "../_components/notices";
import { auditPage, denyPage, pageContext, pageDatabase, requireViewer } from "../_lib/request";
import { UploadForm } from "./upload-form";
import { ScrollArea } from "../_components/scroll-area";

const FINDING_TITLES: Record<FindingKind, string> = {
  study_without_order: "Studies without an order (none in the 120 days before)",
  order_not_captured: "EHR orders not reported with 3096F",
  incomplete_split_bill: "Split bills missing a component (TC without 26, or 26 without TC)",
  other_bone_density_code: "Other bone density codes seen (never counted as a central DXA)",
};

export default async function DataPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  await connection();
  const params = await searchParams;
  const viewer = await requireViewer();
  // The data page is the warehouse's own view (imports, completeness, reconciliation): for
  // the roles that see every payer. A payer-scoped viewer is refused.
  if (viewer.payerScope !== null) return denyPage(viewer, "/data", params, new AccessDeniedError("The data page is for quality officers, data stewards and administrators.", "role"));
  // Every read of this page goes to the primary, its context too (lib/views/data.ts says why):
  // a snapshot taken from a standby would not match the counts and import log read here.
  const db = pageDatabase(await getDatabase());
  const ctx = await pageContext("/data", params, "primary");
  const { summary, imports, claimsLag: lag, ordersByPayer, counts, examples } = await getDataView(db, viewer, ctx);
  const unknownOrders = ordersByPayer.get(UNKNOWN_PAYER_KEY) ?? 0;
  // A finding's member opens their record (same period, window and as-of date) for the roles
  // that may read it: quality officers and admins, not data stewards (nor payer relations).
  const memberQuery = ctx ? filtersToSearchParams(ctx.filters, {}, ctx.dataAsOf).toString() : "";
  const memberHref = canSeeMemberLevel(viewer, "orders") ? (id: string) => `/members/${encodeURIComponent(id)}${memberQuery ? `?${memberQuery}` : ""}` : null;
  if (examples) {
    const shown = Object.values(examples).reduce((n, list) => n + list.length, 0);
    await auditPage(viewer, "member_view", "/data", params, shown, "reconciliation findings (first 10 of each kind)");
  }

  return (
    <>
      <h1>Data</h1>
      {ctx ? <ActiveFilters ctx={ctx} showWindow={false} /> : <p className="lede">No claims loaded yet.</p>}
      {ctx ? <FilterBar filters={ctx.filters} dataAsOf={ctx.dataAsOf} payers={payerOptions(ctx)} showMeasure={false} showWindow={false} /> : null}
      {ctx ? <Notices notices={ctx.notices} /> : null}

      {can(viewer, { imports: ["run"] }) ? (
        <section className="panel" data-testid="upload">
          <h2>Import files</h2>
          <UploadForm />
        </section>
      ) : null}

      <dl className="cards">
        <Figure label="Members" value={summary.members} testId="count-members" />
        <Figure label="Plans" value={summary.plans} testId="count-plans" />
        <Figure label="EHR orders" value={summary.ehrOrders} testId="count-orders" />
        <Figure label="Claim lines" value={summary.claimLines} testId="count-claim-lines" />
      </dl>

      <section className="panel" data-testid="completeness" aria-labelledby="completeness-title">
        <h2 id="completeness-title">Data completeness by payer</h2>
        <p className="chart-note">
          Claims lag: days from service to the payer&apos;s receipt of original claims received in the 12 months to the as-of date. A month is
          provisional until its 90th-percentile lag has passed. Orders: those of the period{ctx ? ` (${formatPeriod(ctx.filters.from, ctx.filters.to)})` : ""}, not cancelled.
        </p>
        <ScrollArea label="Data completeness by payer">
          <table data-testid="payer-plans" className="stack-on-phone">
            <caption>Plans, members, orders, claim lines and claims lag of each payer</caption>
            <thead>
              <tr>
                <th scope="col">Payer</th>
                <th scope="col" className="num">Plans</th>
                <th scope="col" className="num">Members ever covered</th>
                <th scope="col" className="num">Orders in the period</th>
                <th scope="col" className="num">Claim lines (12 months)</th>
                <th scope="col" className="num">Median lag</th>
                <th scope="col" className="num">90th percentile lag</th>
              </tr>
            </thead>
            <tbody>
              {summary.payers.map((p) => {
                const l = lag.get(p.payerKey);
                return (
                  <tr key={p.payerKey} data-payer={p.payerKey}>
                    <th scope="row" data-label="Payer">{p.payerName}</th>
                    <td className="num" data-label="Plans">{p.plans === 0 ? "Data not available" : formatCount(p.plans)}</td>
                    <td className="num" data-label="Members ever covered">{p.plans === 0 ? "—" : formatCount(p.members)}</td>
                    <td className="num" data-label="Orders in the period">{formatCount(ordersByPayer.get(p.payerKey) ?? 0)}</td>
                    <td className="num" data-label="Claim lines (12 months)">{l ? formatCount(l.lines) : "—"}</td>
                    <td className="num" data-label="Median lag">{l ? `${l.medianDays.toFixed(0)} days` : "—"}</td>
                    <td className="num" data-label="90th percentile lag">{l ? `${l.p90Days.toFixed(0)} days` : "—"}</td>
                  </tr>
                );
              })}
              {unknownOrders > 0 ? (
                <tr data-payer={UNKNOWN_PAYER_KEY}>
                  <th scope="row" data-label="Payer">
                    Unknown payer
                  </th>
                  <td className="num" data-label="Plans">—</td>
                  <td className="num" data-label="Members ever covered">—</td>
                  <td className="num" data-label="Orders in the period">{formatCount(unknownOrders)}</td>
                  <td className="num" data-label="Claim lines (12 months)">—</td>
                  <td className="num" data-label="Median lag">—</td>
                  <td className="num" data-label="90th percentile lag">—</td>
                </tr>
              ) : null}
            </tbody>
          </table>
        </ScrollArea>
        {unknownOrders > 0 ? (
          <p className="chart-note spaced" data-testid="unknown-payer-note">
            Unknown payer: EHR orders of members with no coverage on the order date ({formatCount(unknownOrders)} in the period). Load their
            coverage to attribute them to a plan.
          </p>
        ) : null}
      </section>

      {counts ? (
        <section className="panel" data-testid="reconciliation">
          <h2>Reconciliation</h2>
          <p className="chart-note">
            Findings of the period. The full list is the <a href="/reports">reconciliation report</a>.
          </p>
          {FINDING_KINDS.map((kind) => (
            <details key={kind} data-testid={`finding-${kind}`}>
              <summary>
                {FINDING_TITLES[kind]}: <strong>{formatCount(counts[kind])}</strong>
              </summary>
              {examples ? <FindingTable findings={examples[kind]} kind={kind} memberHref={memberHref} /> : null}
            </details>
          ))}
        </section>
      ) : null}

      <section className="panel" data-testid="import-history" aria-labelledby="import-history-title">
        <h2 id="import-history-title">Import history</h2>
        <p className="chart-note">
          Every attempt, newest first, refused and failed ones included, under its number in the import log. A refused attempt wrote
          nothing but its line here.
        </p>
        {imports.length === 0 ? (
          <p className="not-available">No import yet.</p>
        ) : (
          <ScrollArea label="Import history">
            <table className="stack-on-phone" data-testid="table-import-history">
              <caption>Every import attempt, its files and its outcome</caption>
              <thead>
                <tr>
                  <th scope="col">No.</th>
                  <th scope="col">Finished (UTC)</th>
                  <th scope="col">By</th>
                  <th scope="col">Outcome</th>
                  <th scope="col">Files</th>
                  <th scope="col" className="num">Rows</th>
                  <th scope="col" className="num">Problems</th>
                </tr>
              </thead>
              <tbody>
                {imports.map((i) => {
                  const succeeded = i.outcome === "succeeded";
                  // A refused import's files: those it read, and those it refused by name (an
                  // unknown file name is a problem of that file, not a file read).
                  const named = i.files.map((f) => f.file);
                  const refusedNames = succeeded ? [] : [...new Set(i.errors.map((e) => /^([^:/\\]+):1: (?:-: : )?unknown file name/.exec(e)?.[1]).filter((n): n is string => !!n && !named.includes(n)))];
                  return (
                    <tr key={i.id} data-import={i.id}>
                      <th scope="row" data-label="No.">{i.id}</th>
                      <td data-label="Finished (UTC)">{(i.finishedAt ?? i.startedAt).slice(0, 16).replace("T", " ")}</td>
                      <td data-label="By">{i.importedBy}</td>
                      <td data-label="Outcome">
                        <span className={`status ${succeeded ? "status-in_window" : "status-overdue"}`}>{i.outcome}</span>
                      </td>
                      <td data-label="Files" data-testid="import-files">
                        {succeeded
                          ? i.files.map((f) => `${f.file} (${formatCount(f.rows)} rows: ${formatCount(f.new)} new, ${formatCount(f.changed)} changed)`).join(", ")
                          : [...named, ...refusedNames.map((n) => `${n} (not an import file name)`)].join(", ") || "—"}
                      </td>
                      <td className="num" data-label="Rows">{succeeded ? formatCount(i.rowCount) : "none written"}</td>
                      <td className="num" data-label="Problems">
                        {i.errorCount === 0 ? (
                          "—"
                        ) : (
                          <details>
                            <summary>{formatCount(i.errorCount)}</summary>
                            <ul className="problems">
                              {i.errors.map((e) => (
                                <li key={e}>
                                  <code>{formatImportProblem(e)}</code>
                                </li>
                              ))}
                            </ul>
                          </details>
                        )}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </ScrollArea>
        )}
      </section>
    </>
  );
}

function FindingTable({ findings, kind, memberHref }: { findings: Finding[]; kind: FindingKind; memberHref: ((memberId: string) => string) | null }) {
  if (findings.length === 0) return <p className="not-available">None.</p>;
  return (
    <ScrollArea label="Findings">
    <table className="stack-on-phone">
      <caption>First {findings.length} of the {FINDING_TITLES[kind].split(" (")[0]!.toLowerCase()}</caption>
      <thead>
        <tr>
          <th scope="col">Member</th>
          <th scope="col">Date</th>
          <th scope="col">Payer</th>
          <th scope="col">Plan</th>
          <th scope="col">Detail</th>
        </tr>
      </thead>
      <tbody>
        {findings.map((f, i) => (
          <tr key={i}>
            <th scope="row" data-label="Member">{memberHref ? <Link href={memberHref(f.memberId)}>{f.memberId}</Link> : f.memberId}</th>
            <td data-label="Date">{formatDate(f.date)}</td>
            <td data-label="Payer">{f.payerName}</td>
            <td data-label="Plan">{f.planName ?? UNKNOWN_PLAN_NAME}</td>
            <td data-label="Detail">{detail(f)}</td>
          </tr>
        ))}
      </tbody>
    </table>
    </ScrollArea>
  );
}

function detail(f: Finding): string {
  switch (f.finding) {
    case "study_without_order":
      return `study of ${f.lineCount} line${f.lineCount === 1 ? "" : "s"}`;
    case "order_not_captured":
      return `order ${f.orderId}`;
    case "incomplete_split_bill":
      return `only ${f.billed} billed`;
    case "other_bone_density_code":
      return `${f.procedureCode} on claim ${f.claimId} line ${f.lineNumber} (${f.lineStatus})`;
  }
}

function Figure({ label, value, testId }: { label: string; value: number; testId: string }) {
  return (
    <div className="card">
      <dt>{label}</dt>
      <dd data-testid={testId}>{formatCount(value)}</dd>
    </div>
  );
}
