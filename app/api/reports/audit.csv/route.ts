import { getDatabase, noteDatabaseError } from "@/db";
import { serveAuditReport } from "@/lib/reports/audit";
import { authenticate } from "../../../_lib/request";

// GET /api/reports/audit.csv (SPEC section 10): administrators only.
export const dynamic = "force-dynamic";

export function GET(request: Request): Promise<Response> {
  return serveAuditReport(request, { getDatabase, authenticate, noteError: noteDatabaseError });
}
