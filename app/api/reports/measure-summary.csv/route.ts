import { getDatabase } from "@/db";
import { serveReport } from "@/lib/reports";
import { getViewer } from "@/lib/viewer";

// GET /api/reports/measure-summary.csv (SPEC section 7); lib/reports does the work.
export const dynamic = "force-dynamic";

export function GET(request: Request): Promise<Response> {
  return serveReport("measure-summary", request, { getDatabase, getViewer });
}

export function HEAD(request: Request): Promise<Response> {
  return serveReport("measure-summary", request, { getDatabase, getViewer }, true);
}
