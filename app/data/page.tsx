import { connection } from "next/server";
import { getDatabase } from "@/db";
import { AccessDeniedError, can, canSeeMemberLevel } from "@/lib/access";
import type { SearchParams } from "@/lib/filters";
import { formatCount, formatDate } from "@/lib/format";
import type { ClaimsLag } from "@/lib/measures";
import { countFindings, FINDING_KINDS, listFindings, type Finding, type FindingKind } from "@/lib/reconciliation";
import { listImports } from "@/lib/warehouse/imports";
import { getWarehouseSummary } from "@/lib/warehouse/summary";
import { ActiveFilters } from "../_components/active-filters";
import { FilterBar } from "../_components/filter-bar";
import { Notices } from "../_components/notices";
import { auditPage, denyPage, pageContext, requireViewer } from "../_lib/request";
import { UploadForm } from "./upload-form";

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
  const db = await getDatabase();
  const ctx = await pageContext("/data", params);
  const [summary, imports] = await Promise.all([getWarehouseSummary(db, viewer), listImports(db)]);
  const lag = ctx ? ctx.claimsLag.byPayer : new Map<string, ClaimsLag>();
  const query = ctx ? { asOf: ctx.asOf, from: ctx.filters.from, to: ctx.filters.to, payers: ctx.filters.payers, plans: ctx.filters.plans, productLines: ctx.filters.productLines } : null;
  const counts = query ? await countFindings(db, viewer, query) : null;
  const showFindings = canSeeMemberLevel(viewer, "reconciliation");
  const examples =
    query && showFindings
      ? Object.fromEntries(await Promise.all(FINDING_KINDS.map(async (k) => [k, await listFindings(db, viewer, { ...query, findings: [k], pageSize: 10 })] as const)))
      : null;
  if (examples) {
    const shown = Object.values(examples).reduce((n, list) => n + list.length, 0);
    await auditPage(viewer, "member_view", "/data", params, shown, "reconciliation findings (first 10 of each kind)");
  }

  return (
    <>
      <h1>Data</h1>
      {ctx ? <ActiveFilters ctx={ctx} /> : <p className="lede">No claims loaded yet.</p>}
      {ctx ? <FilterBar filters={ctx.filters} dataAsOf={ctx.dataAsOf} payers={ctx.dims.payers.map((p) => ({ key: p.key, name: p.name }))} showMeasure={false} /> : null}
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

      <section className="panel" data-testid="completeness">
        <h2>Data completeness by payer</h2>
        <p className="chart-note">
          Claims lag: days from service to the payer&apos;s receipt of original claims received in the 12 months to the as-of date. A month is
          provisional until its 90th-percentile lag has passed.
        </p>
        <table data-testid="payer-plans">
          <thead>
            <tr>
              <th scope="col">Payer</th>
              <th scope="col" className="num">Plans</th>
              <th scope="col" className="num">Members ever covered</th>
              <th scope="col" className="num">Claim lines (12 months)</th>
              <th scope="col" className="num">Median lag</th>
              <th scope="col" className="num">90th percentile lag</th>
            </tr>
          </thead>
          <tbody>
            {summary.payers.map((p) => {
              const l = lag.get(p.payerKey);
              return (
                <tr key={p.payerKey}>
                  <th scope="row">{p.payerName}</th>
                  <td className="num">{p.plans === 0 ? "Data not available" : formatCount(p.plans)}</td>
                  <td className="num">{p.plans === 0 ? "—" : formatCount(p.members)}</td>
                  <td className="num">{l ? formatCount(l.lines) : "—"}</td>
                  <td className="num">{l ? `${l.medianDays.toFixed(0)} days` : "—"}</td>
                  <td className="num">{l ? `${l.p90Days.toFixed(0)} days` : "—"}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
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
              {examples ? <FindingTable findings={examples[kind] as Finding[]} /> : null}
            </details>
          ))}
        </section>
      ) : null}

      <section className="panel" data-testid="import-history">
        <h2>Import history</h2>
        {imports.length === 0 ? (
          <p className="not-available">No import yet.</p>
        ) : (
          <table>
            <thead>
              <tr>
                <th scope="col">#</th>
                <th scope="col">Finished (UTC)</th>
                <th scope="col">By</th>
                <th scope="col">Outcome</th>
                <th scope="col">Files</th>
                <th scope="col" className="num">Rows</th>
                <th scope="col" className="num">Problems</th>
              </tr>
            </thead>
            <tbody>
              {imports.map((i) => (
                <tr key={i.id} data-import={i.id}>
                  <td>{i.id}</td>
                  <td>{(i.finishedAt ?? i.startedAt).slice(0, 16).replace("T", " ")}</td>
                  <td>{i.importedBy}</td>
                  <td>
                    <span className={`status ${i.outcome === "succeeded" ? "status-in_window" : "status-overdue"}`}>{i.outcome}</span>
                  </td>
                  <td>
                    {i.files.map((f) => `${f.file} (${formatCount(f.rows)} rows${i.outcome === "succeeded" ? `: ${f.new} new, ${f.changed} changed` : ""})`).join(", ")}
                  </td>
                  <td className="num">{formatCount(i.rowCount)}</td>
                  <td className="num">
                    {i.errorCount === 0 ? (
                      "—"
                    ) : (
                      <details>
                        <summary>{formatCount(i.errorCount)}</summary>
                        <ul className="problems">
                          {i.errors.map((e) => (
                            <li key={e}>
                              <code>{e}</code>
                            </li>
                          ))}
                        </ul>
                      </details>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </>
  );
}

function FindingTable({ findings }: { findings: Finding[] }) {
  if (findings.length === 0) return <p className="not-available">None.</p>;
  return (
    <table>
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
            <td>{f.memberId}</td>
            <td>{formatDate(f.date)}</td>
            <td>{f.payerName}</td>
            <td>{f.planName ?? "No plan attributed"}</td>
            <td>{detail(f)}</td>
          </tr>
        ))}
      </tbody>
    </table>
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
