import type { Sql } from "@/db/client";
import type { Viewer } from "../access";
import { getDataAsOf } from "../derive";
import { resolveSnapshot } from "../measures";
import { assertMemberLevel, MemberLevelAccessError } from "../orders/access";
import { openReport, reportFileName } from "./open";
import { describeInvalid, MEMBER_LEVEL_REPORTS, parseReportRequest, type ReportName } from "./request";

// The HTTP answer of a report URL, for the thin route handlers of app/api/reports. Web-standard
// Request and Response only, so that it runs (and is tested) outside Next.js.

export type ReportDependencies = {
  getDatabase: () => Promise<Sql>;
  getViewer: (request: Request) => Viewer | Promise<Viewer>;
};

const plain = (status: number, text: string) =>
  new Response(text.endsWith("\n") ? text : `${text}\n`, {
    status,
    headers: { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store" },
  });

/**
 * Answers `GET /api/reports/<report>.csv?…`: 400 naming every invalid parameter, 403 for a
 * member-level report the viewer may not see, 409 when no data are loaded, 503 when the
 * warehouse cannot be read, else 200 with the CSV streaming. Everything that can fail is done
 * before the 200 is answered, so that a client never gets half a file that looks whole.
 * `headOnly` answers the headers without reading any row.
 */
export async function serveReport(report: ReportName, request: Request, deps: ReportDependencies, headOnly = false): Promise<Response> {
  try {
    const viewer = await deps.getViewer(request);
    if (MEMBER_LEVEL_REPORTS.includes(report)) assertMemberLevel(viewer);
    const db = await deps.getDatabase();
    const parsed = parseReportRequest(report, new URL(request.url).searchParams, await getDataAsOf(db));
    if (!parsed.ok) return plain(400, describeInvalid(parsed.invalid));
    const asOf = await resolveSnapshot(db, parsed.request.filters.asOf ?? undefined);
    if (!asOf) return plain(409, "The warehouse holds no claims yet, so there is no as-of date to report on.");
    const resolved = { ...parsed.request, asOf };
    const headers = {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="${reportFileName(resolved)}"`,
      "Cache-Control": "no-store",
      "X-Content-Type-Options": "nosniff",
    };
    if (headOnly) return new Response(null, { status: 200, headers });
    const file = await openReport(db, viewer, resolved, { signal: request.signal });
    return new Response(file.body, { status: 200, headers });
  } catch (error) {
    if (error instanceof MemberLevelAccessError) return plain(403, error.message);
    console.error(`${report}.csv failed:`, error);
    return plain(503, `The ${report} report could not be read from the warehouse. Try again in a moment; if it keeps failing, the server log says why.`);
  }
}
