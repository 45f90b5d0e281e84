import type { Metadata } from "next";
import Link from "next/link";
import { connection } from "next/server";
import { getDatabase } from "@/db";
import { AccessDeniedError, can } from "@/lib/access";
import { AUDIT_ACTIONS, AUDIT_PAGE_SIZE, listAudit, parseAuditQuery } from "@/lib/audit";
import type { SearchParams } from "@/lib/filters";
import { formatCount } from "@/lib/format";
import { Notices } from "../../_components/notices";
import { denyPage, pageDatabase, requireViewer } from "../../_lib/request";
import { ScrollArea } from "../../_components/scroll-area";

export const metadata: Metadata = { title: "Audit log · DXA Tracker" };

/** The audit log (SPEC section 10), newest first, with filters; the same rows as audit.csv. */
export default async function AuditPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  await connection();
  const params = await searchParams;
  const viewer = await requireViewer();
  if (!can(viewer, { administration: ["audit"] })) return denyPage(viewer, "/admin/audit", params, new AccessDeniedError("The audit log is for administrators.", "role"));
  const { query, invalid } = parseAuditQuery(params);
  const { events, total } = await listAudit(pageDatabase(await getDatabase()), query);
  const pages = Math.max(1, Math.ceil(total / AUDIT_PAGE_SIZE));
  const csv = new URLSearchParams();
  for (const [k, v] of Object.entries({ from: query.from, to: query.to, actor: query.actor, action: query.actions?.join(",") })) if (v) csv.set(k, v);
  const pageLink = (page: number) => {
    const p = new URLSearchParams(csv);
    p.set("page", String(page));
    return `/admin/audit?${p.toString()}`;
  };
  return (
    <>
      <p className="breadcrumb">
        <Link href="/admin">Admin</Link> › Audit log
      </p>
      <h1>Audit log</h1>
      <Notices notices={invalid.map((p) => `"${p.value}" is not a valid ${p.name} (expected ${p.allowed}): it is ignored.`)} />
      <form className="filters" method="get" aria-label="Filter the audit log">
        <label>
          From <input type="date" name="from" defaultValue={query.from ?? ""} />
        </label>
        <label>
          To <input type="date" name="to" defaultValue={query.to ?? ""} />
        </label>
        <label>
          User <input name="actor" defaultValue={query.actor ?? ""} placeholder="email or part of it" />
        </label>
        <label>
          Action{" "}
          <select name="action" defaultValue={query.actions?.[0] ?? ""}>
            <option value="">any</option>
            {AUDIT_ACTIONS.map((a) => (
              <option key={a} value={a}>
                {a.replaceAll("_", " ")}
              </option>
            ))}
          </select>
        </label>
        <button type="submit">Filter</button>
      </form>
      <section className="panel" data-testid="audit-log">
        <h2>
          {formatCount(total)} events{" "}
          <a className="download secondary small" href={`/api/reports/audit.csv?${csv.toString()}`} data-testid="audit-csv">
            Download CSV
          </a>
        </h2>
        <ScrollArea label="Audit log">
          <table data-testid="table-audit">
            <caption>Newest first; times in UTC</caption>
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Who</th>
                <th scope="col">Action</th>
                <th scope="col">Route</th>
                <th scope="col">Filters</th>
                <th scope="col" className="num">Rows</th>
                <th scope="col">Address</th>
                <th scope="col">Detail</th>
              </tr>
            </thead>
            <tbody>
              {events.map((e) => (
                <tr key={e.id} data-action={e.action}>
                  <td>{e.at.slice(0, 19)}</td>
                  <td>
                    {e.actor}
                    {e.role ? ` (${e.role.replaceAll("_", " ")})` : ""}
                    {e.tokenName ? ` · token "${e.tokenName}"` : ""}
                  </td>
                  <td>{e.action.replaceAll("_", " ")}</td>
                  <td>
                    <code>{e.route}</code>
                  </td>
                  <td>
                    <code>{Object.keys(e.filters).length ? new URLSearchParams(Object.entries(e.filters).flatMap(([k, v]) => [v].flat().map((x) => [k, x]))).toString() : ""}</code>
                  </td>
                  <td className="num">{e.rows ?? ""}</td>
                  <td>{e.address ?? ""}</td>
                  <td>{e.detail ?? ""}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </ScrollArea>
        <nav className="pager" aria-label="Pages">
          {query.page > 1 ? <Link href={pageLink(query.page - 1)}>← Newer</Link> : <span />}
          <span>
            Page {query.page} of {pages}
          </span>
          {query.page < pages ? <Link href={pageLink(query.page + 1)}>Older →</Link> : <span />}
        </nav>
      </section>
    </>
  );
}
