import { isConnectionError, UNREACHABLE_MESSAGE } from "@/db/availability";
import type { Sql } from "@/db/client";
import type { ReadSource } from "@/db/replicas";
import { AccessDeniedError, assertMemberLevel, type Viewer } from "../access";
import { filtersOf, recordAudit, type AuditActor } from "../audit";
import type { ViewerResolution } from "../auth/viewer";
import { observeEnd, plain, unauthorized } from "../http/responses";
import { getViewContext } from "../views/context";
import { openReport, reportFileName } from "./open";
import { describeInvalid, invalidCombinations, invalidFilters, MEMBER_LEVEL_REPORTS, parseReportParameters, type ReportName } from "./request";

// The HTTP answer of a report URL, for the thin route handlers of app/api/reports. Web-standard
// Request and Response only, so that it runs (and is tested) outside Next.js.

export type ReportDependencies = {
  /** The primary: the audit log is written there. */
  getDatabase: () => Promise<Sql>;
  /** Where the report is read (a standby, db/replicas.ts); the primary when absent. */
  getReadDatabase?: () => Promise<{ db: Sql; source: ReadSource }>;
  /** Who sends the request (lib/auth/viewer.ts). */
  authenticate: (request: Request) => Promise<ViewerResolution>;
  /** Told of an error the request met (the web server marks a lost database, db/index.ts). */
  noteError?: (error: unknown) => void;
};

export function auditActor(viewer: Viewer): AuditActor {
  return { userId: viewer.userId, actor: viewer.email, role: viewer.role, tokenName: viewer.tokenName, address: viewer.address };
}

const MEMBER_LIST: Record<"orders" | "reconciliation", "orders" | "reconciliation"> = { orders: "orders", reconciliation: "reconciliation" };

/**
 * Answers `GET /api/reports/<report>.csv?…`: 401 without valid credentials, 403 for what the
 * viewer's role or payer assignment does not allow, 400 naming every invalid parameter, 409
 * when no data are loaded, 503 when the warehouse cannot be read, else 200 with the CSV
 * streaming. Everything that can fail is done before the 200 is answered, so that a client
 * never gets half a file that looks whole. Every export and every refusal is audited, the
 * export with the rows it sent once the file has been read. `headOnly` answers the headers
 * without reading any row.
 */
export async function serveReport(report: ReportName, request: Request, deps: ReportDependencies, headOnly = false): Promise<Response> {
  const route = new URL(request.url).pathname;
  const query = new URL(request.url).searchParams;
  let viewer: Viewer | null = null;
  let db: Sql | null = null;
  try {
    db = await deps.getDatabase();
    const who = await deps.authenticate(request);
    if (!who.ok) return unauthorized(who.reason);
    viewer = who.viewer;
    if (MEMBER_LEVEL_REPORTS.includes(report)) assertMemberLevel(viewer, MEMBER_LIST[report as "orders" | "reconciliation"]);
    const parsed = parseReportParameters(report, query);
    const read = deps.getReadDatabase ? await deps.getReadDatabase() : { db, source: { kind: "primary" as const } };
    const ctx = await getViewContext(read.db, viewer, parsed.params, { primary: db, readSource: read.source });
    const invalid = [...parsed.invalid, ...(ctx ? [...ctx.invalid, ...invalidCombinations(report, ctx.filters)] : invalidFilters(parsed.params))];
    if (invalid.length > 0) return plain(400, describeInvalid(invalid));
    if (!ctx) return plain(409, "The warehouse holds no claims yet, so there is no as-of date to report on.");
    const resolved = { report, filters: ctx.filters, statuses: parsed.statuses, worklist: parsed.worklist, series: parsed.series, bom: parsed.bom, asOf: ctx.asOf };
    const headers = {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="${reportFileName(resolved, { suppressed: ctx.suppress })}"`,
      "Cache-Control": "no-store",
      "X-Content-Type-Options": "nosniff",
      // Which server the file was read from, and how far behind the primary (a standby).
      "X-Read-From": ctx.readSource.kind === "replica" ? `standby ${ctx.readSource.name}, ${ctx.readSource.lagSeconds.toFixed(1)} s behind` : "primary",
    };
    if (headOnly) return new Response(null, { status: 200, headers });
    let rows = 0;
    const file = await openReport(ctx, resolved, { signal: request.signal, onRows: (n) => (rows = n) });
    const exporter = auditActor(viewer);
    const database = db;
    const body = observeEnd(file.body, (outcome) => {
      const detail = outcome === "complete" ? file.fileName : `${file.fileName}: ${outcome} after ${rows} rows`;
      return recordAudit(database, { ...exporter, action: "export", route, filters: filtersOf(query), rows, detail });
    });
    return new Response(body, { status: 200, headers });
  } catch (error) {
    if (error instanceof AccessDeniedError && viewer && db) {
      await recordAudit(db, { ...auditActor(viewer), action: "access_denied", route, filters: filtersOf(query), detail: error.message }).catch(() => {});
      return plain(403, error.message);
    }
    deps.noteError?.(error);
    if (isConnectionError(error)) return plain(503, UNREACHABLE_MESSAGE, { "Retry-After": "5" });
    console.error(`${report}.csv failed:`, error);
    return plain(503, `The ${report} report could not be read from the warehouse. Try again in a moment; if it keeps failing, the server log says why.`);
  }
}
