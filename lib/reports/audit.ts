import { isConnectionError, UNREACHABLE_MESSAGE } from "@/db/availability";
import type { Sql } from "@/db/client";
import { AccessDeniedError, assertCan } from "../access";
import { filtersOf, openAuditCursor, parseAuditQuery, recordAudit, type AuditEvent } from "../audit";
import { observeEnd, plain, unauthorized } from "../http/responses";
import { integerCell, textCell } from "./cells";
import { csvStream } from "./csv";
import { describeInvalid, toSearchParams } from "./request";
import { auditActor, type ReportDependencies } from "./serve";

// audit.csv (SPEC section 10): the audit log for administrators, oldest first, with the
// filters of /admin/audit. Reading it is itself audited.

export const AUDIT_COLUMNS = ["at", "user_id", "actor", "role", "token_name", "action", "route", "filters", "rows", "address", "detail"] as const;

export function auditRecord(e: AuditEvent): string[] {
  return [
    textCell(e.at),
    textCell(e.userId),
    textCell(e.actor),
    textCell(e.role),
    textCell(e.tokenName),
    textCell(e.action),
    textCell(e.route),
    textCell(Object.keys(e.filters).length ? JSON.stringify(e.filters) : ""),
    integerCell(e.rows),
    textCell(e.address),
    textCell(e.detail),
  ];
}

export async function serveAuditReport(request: Request, deps: ReportDependencies): Promise<Response> {
  const url = new URL(request.url);
  let db: Sql | null = null;
  try {
    db = await deps.getDatabase();
    const who = await deps.authenticate(request);
    if (!who.ok) return unauthorized(who.reason);
    const viewer = who.viewer;
    try {
      assertCan(viewer, { administration: ["audit"] }, "The audit log");
    } catch (error) {
      if (!(error instanceof AccessDeniedError)) throw error;
      await recordAudit(db, { ...auditActor(viewer), action: "access_denied", route: url.pathname, filters: filtersOf(url.searchParams), detail: error.message });
      return plain(403, error.message);
    }
    const { query, invalid } = parseAuditQuery(toSearchParams(url.searchParams));
    if (invalid.length > 0) return plain(400, describeInvalid(invalid));
    let rows = 0;
    const cursor = await openAuditCursor(db, query);
    const database = db;
    const body = observeEnd(csvStream(AUDIT_COLUMNS, cursor, auditRecord, { signal: request.signal, onRows: (n) => (rows = n) }), (outcome) =>
      recordAudit(database, { ...auditActor(viewer), action: "export", route: url.pathname, filters: filtersOf(url.searchParams), rows, detail: outcome === "complete" ? "audit.csv" : `audit.csv: ${outcome} after ${rows} rows` }),
    );
    const stamp = new Date().toISOString().slice(0, 10);
    return new Response(body, {
      status: 200,
      headers: {
        "Content-Type": "text/csv; charset=utf-8",
        "Content-Disposition": `attachment; filename="audit_${query.from ?? "start"}_${query.to ?? stamp}.csv"`,
        "Cache-Control": "no-store",
      },
    });
  } catch (error) {
    deps.noteError?.(error);
    if (isConnectionError(error)) return plain(503, UNREACHABLE_MESSAGE, { "Retry-After": "5" });
    console.error("audit.csv failed:", error);
    return plain(503, "The audit log could not be read. Try again in a moment; if it keeps failing, the server log says why.");
  }
}
