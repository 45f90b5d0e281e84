import { coverageOf, type MemberScope } from "./scope";

/**
 * D7 as a SQL fragment: a LATERAL join yielding `<alias>.plan_id`, the plan of the member's
 * coverage span active on the anchor date (latest start; on a tie the smallest plan_id in byte
 * order), or no row when none is active. Callers add their own fall-back (the billed plan of a
 * claim-sourced fact) and map a missing plan to Unknown payer. One lookup per row: for a few
 * rows (the screening population query); the derivation attributes whole tables at once
 * (`withCoveragePlan`).
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

/**
 * D7 for every row of `source` at once: its rows, each with `covered_plan_id`, the plan of the
 * span active on its anchor date (null when none is). One join of the rows with their members'
 * spans, of which DISTINCT ON keeps the winner, instead of a lookup per row: at 2,000,000
 * members a lookup per order or study cost 3–5 s a table (docs/benchmarks.md). The rows come
 * whole out of the join, not as keys joined back to them afterwards: that second join hashed a
 * million orders twice (about 1 s a table). `keys` must identify a row; the spans read are the
 * scope's (coverageOf).
 */
export function withCoveragePlan(source: string, keys: readonly string[], memberColumn: string, dateColumn: string, scope: MemberScope): string {
  const k = keys.map((c) => `s.${c}`).join(", ");
  return `SELECT DISTINCT ON (${k}) s.*, cv.plan_id COLLATE "C" AS covered_plan_id
    FROM ${source} s
    LEFT JOIN ${coverageOf(scope)} cv ON cv.member_id = s.${memberColumn} AND cv.start_date <= s.${dateColumn}
      AND (cv.end_date IS NULL OR cv.end_date >= s.${dateColumn})
    ORDER BY ${k}, cv.start_date DESC NULLS LAST, cv.plan_id COLLATE "C"`;
}

/** Joins the attributed plan to its payer and product line; no plan → Unknown payer. */
export function planJoin(planExpr: string, alias: string): string {
  return `LEFT JOIN plans ${alias} ON ${alias}.plan_id = ${planExpr}`;
}

export const UNKNOWN_PAYER = "unknown";
