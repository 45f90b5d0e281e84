import type { Sql } from "@/db/client";
import { planJoin, UNKNOWN_PAYER, withCoveragePlan } from "./attribution";
import { assignClusters } from "./cluster";
import { CENTRAL_DXA_CODES, RESULT_CODE, RESULT_DAYS, sqlList, STUDY_GAP_DAYS } from "./codes";
import { factsOf, type MemberScope } from "./scope";

/** D2 and D5: central DXA studies, their billed components, and the documented result, for the
 *  members of the scope (whose studies are not among its dxa_studies, factsOf). */
export async function deriveStudies(tx: Sql, asOf: string, scope: MemberScope): Promise<void> {
  await tx.query(
    `CREATE TEMP TABLE d_dxa_lines ON COMMIT DROP AS
     SELECT member_id, service_date AS d, claim_id, line_number, plan_id, line_status,
       'TC' = ANY (modifiers) AS is_tc, '26' = ANY (modifiers) AS is_professional
     FROM ${factsOf(scope, "effective_lines")}
     WHERE as_of = $1::date AND procedure_code IN (${sqlList(CENTRAL_DXA_CODES)})`,
    [asOf],
  );
  await assignClusters(tx, "d_dxa_lines", STUDY_GAP_DAYS);
  // A study's facts; the plan billed on its first line is the attribution fall-back for a
  // study with no active coverage (studies come from claims, like claim-sourced orders).
  await tx.exec(`
    CREATE TEMP TABLE d_studies ON COMMIT DROP AS
    SELECT member_id, cluster_start AS study_date, count(*)::int AS line_count,
      (count(*) FILTER (WHERE line_status = 'denied'))::int AS denied_line_count,
      bool_or(NOT is_tc AND NOT is_professional) AS has_global,
      bool_or(is_tc) AS has_tc, bool_or(is_professional) AS has_professional,
      (array_agg(plan_id ORDER BY d, claim_id COLLATE "C", line_number))[1] AS billed_plan_id
    FROM d_dxa_lines GROUP BY member_id, cluster_start;
    ANALYZE d_studies;
  `);
  // D5: the first 3095F line (without 8P) of the member in [study date, study date + 30].
  await tx.query(
    `CREATE TEMP TABLE d_result_lines ON COMMIT DROP AS
     SELECT member_id, service_date AS d FROM ${factsOf(scope, "effective_lines")}
     WHERE as_of = $1::date AND procedure_code = '${RESULT_CODE}' AND NOT has_not_performed`,
    [asOf],
  );
  await tx.exec(`
    ANALYZE d_result_lines;
    CREATE TEMP TABLE d_study_results ON COMMIT DROP AS
    SELECT s.member_id, s.study_date, min(r.d) AS result_date
    FROM d_studies s JOIN d_result_lines r ON r.member_id = s.member_id AND r.d BETWEEN s.study_date AND s.study_date + ${RESULT_DAYS}
    GROUP BY s.member_id, s.study_date;
  `);
  await tx.query(
    `INSERT INTO ${factsOf(scope, "dxa_studies")} (as_of, member_id, study_date, line_count, denied_line_count, has_global,
       has_tc, has_professional, billing_complete, result_date, plan_id, payer_key)
     SELECT $1::date, s.member_id, s.study_date, s.line_count, s.denied_line_count, s.has_global,
       s.has_tc, s.has_professional, s.has_global OR (s.has_tc AND s.has_professional),
       r.result_date, p.plan_id, coalesce(p.payer_key, '${UNKNOWN_PAYER}')
     FROM (${withCoveragePlan("d_studies", ["member_id", "study_date"], "member_id", "study_date", scope)}) s
     LEFT JOIN d_study_results r ON r.member_id = s.member_id AND r.study_date = s.study_date
     ${planJoin("coalesce(s.covered_plan_id, s.billed_plan_id)", "p")}`,
    [asOf],
  );
}
