import { getDatabase } from "@/db";
import { serveReport } from "@/lib/reports";
import { getViewer } from "@/lib/viewer";

// GET /api/reports/reconciliation.csv (SPEC section 7); lib/reports does the work.
export const dynamic = "force-dynamic";

export function GET(request: Request): Promise<Response> {
  return serveReport("reconciliation", request, { getDatabase, getViewer });
}

export function HEAD(request: Request): Promise<Response> {
  return serveReport("reconciliation", request, { getDatabase, getViewer }, true);
}
