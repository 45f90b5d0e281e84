import { reportHandlers } from "../handlers";

// GET /api/reports/measure-summary.csv (SPEC section 7).
export const dynamic = "force-dynamic";
export const { GET, HEAD } = reportHandlers("measure-summary");
