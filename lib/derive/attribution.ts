/**
 * D7 as a SQL fragment: a LATERAL join yielding `<alias>.plan_id`, the plan of the member's
 * coverage span active on the anchor date (latest start; on a tie the smallest plan_id in byte
 * order), or no row when none is active. Callers add their own fall-back (the billed plan of a
 * claim-sourced fact) and map a missing plan to Unknown payer.
 */
export function activeCoverageJoin(memberExpr: string, dateExpr: string, alias: string): string {
  // Byte order stated here, not only by the column's collation (db/schema/identifier.ts): the
  // rule then holds, and the plan compares with billed plans, whatever collation the column has.
  return `LEFT JOIN LATERAL (
      SELECT cv.plan_id COLLATE "C" AS plan_id FROM coverage cv
      WHERE cv.member_id = ${memberExpr} AND cv.start_date <= ${dateExpr}
        AND (cv.end_date IS NULL OR cv.end_date >= ${dateExpr})
      ORDER BY cv.start_date DESC, cv.plan_id COLLATE "C" ASC
      LIMIT 1
    ) ${alias} ON true`;
}

/** Joins the attributed plan to its payer and product line; no plan → Unknown payer. */
export function planJoin(planExpr: string, alias: string): string {
  return `LEFT JOIN plans ${alias} ON ${alias}.plan_id = ${planExpr}`;
}

export const UNKNOWN_PAYER = "unknown";
