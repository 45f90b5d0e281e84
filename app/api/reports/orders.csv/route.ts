import { reportHandlers } from "../handlers";

// GET /api/reports/orders.csv (SPEC section 7).
export const dynamic = "force-dynamic";
export const { GET, HEAD } = reportHandlers("orders");
