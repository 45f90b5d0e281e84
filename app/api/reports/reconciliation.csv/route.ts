import { reportHandlers } from "../handlers";

// GET /api/reports/reconciliation.csv (SPEC section 7).
export const dynamic = "force-dynamic";
export const { GET, HEAD } = reportHandlers("reconciliation");
