import type { Sql } from "@/db/client";
import { payerScopeParam, type Viewer } from "../access";

export type PayerInfo = { key: string; name: string; listed: boolean; sortOrder: number };
export type PlanInfo = { planId: string; planName: string; payerKey: string; productLine: string };

export type Dimensions = { payers: PayerInfo[]; plans: PlanInfo[] };

export const UNKNOWN_PAYER_KEY = "unknown";

/** Payers (in display order: the five listed, others by name, Unknown payer last) and plans
 *  that the viewer may see. Small tables, read whole. */
export async function getDimensions(db: Sql, viewer: Viewer): Promise<Dimensions> {
  const scope = payerScopeParam(viewer);
  const payers = await db.query<PayerInfo>(
    `SELECT key, display_name AS name, listed, sort_order AS "sortOrder" FROM payers
     WHERE $1::text[] IS NULL OR key = ANY ($1::text[])
     ORDER BY sort_order, display_name`,
    [scope],
  );
  const plans = await db.query<PlanInfo>(
    `SELECT pl.plan_id AS "planId", pl.plan_name AS "planName", pl.payer_key AS "payerKey", pl.product_line::text AS "productLine"
     FROM plans pl JOIN payers p ON p.key = pl.payer_key
     WHERE $1::text[] IS NULL OR pl.payer_key = ANY ($1::text[])
     ORDER BY p.sort_order, p.display_name, pl.plan_name, pl.plan_id COLLATE "C"`,
    [scope],
  );
  return { payers, plans };
}
