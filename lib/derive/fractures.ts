import type { Sql } from "@/db/client";
import { activeCoverageJoin, planJoin, UNKNOWN_PAYER } from "./attribution";
import { assignClusters } from "./cluster";
import { EPISODE_GAP_DAYS, FRACTURE_FOLLOW_UP_DAYS, FRACTURE_MIN_AGE, hasFractureCode } from "./codes";

/** D6: fragility fracture episodes of members aged 50+, and their first DXA follow-up (a live
 *  order or a study within 180 days). Needs order_facts and dxa_studies. */
export async function deriveFractureEpisodes(tx: Sql, asOf: string): Promise<void> {
  await tx.query(
    `CREATE TEMP TABLE d_fracture_lines ON COMMIT DROP AS
     SELECT e.member_id, e.service_date AS d, e.claim_id, e.line_number, e.plan_id
     FROM effective_lines e JOIN members m ON m.member_id = e.member_id
     WHERE e.as_of = $1::date
       AND extract(year FROM age(e.service_date, m.birth_date)) >= ${FRACTURE_MIN_AGE}
       AND ${hasFractureCode("e.diagnosis_codes")}`,
    [asOf],
  );
  await assignClusters(tx, "d_fracture_lines", EPISODE_GAP_DAYS);
  // What follows an episode up: a live order (any source) or a study, by member and date.
  await tx.query(
    `CREATE TEMP TABLE d_follow_ups ON COMMIT DROP AS
     SELECT member_id, order_date AS d FROM order_facts WHERE as_of = $1::date AND status <> 'cancelled'
     UNION ALL
     SELECT member_id, study_date FROM dxa_studies WHERE as_of = $1::date`,
    [asOf],
  );
  await tx.exec(`CREATE INDEX ON d_follow_ups (member_id, d); ANALYZE d_follow_ups;`);
  await tx.query(
    `INSERT INTO fracture_episodes (as_of, member_id, episode_date, line_count, plan_id, payer_key,
       product_line, follow_up_date, follow_up_days)
     SELECT $1::date, ep.member_id, ep.episode_date, ep.line_count, p.plan_id,
       coalesce(p.payer_key, '${UNKNOWN_PAYER}'), p.product_line,
       next_fu.follow_up_date, next_fu.follow_up_date - ep.episode_date
     FROM (
       SELECT member_id, cluster_start AS episode_date, count(*)::int AS line_count,
         (array_agg(plan_id ORDER BY d, claim_id COLLATE "C", line_number))[1] AS billed_plan_id
       FROM d_fracture_lines GROUP BY member_id, cluster_start
     ) ep
     LEFT JOIN LATERAL (
       SELECT f.d AS follow_up_date FROM d_follow_ups f
       WHERE f.member_id = ep.member_id AND f.d >= ep.episode_date
       ORDER BY f.d LIMIT 1
     ) next_fu ON next_fu.follow_up_date <= ep.episode_date + ${FRACTURE_FOLLOW_UP_DAYS}
     ${activeCoverageJoin("ep.member_id", "ep.episode_date", "cov")}
     ${planJoin("coalesce(cov.plan_id, ep.billed_plan_id)", "p")}`,
    [asOf],
  );
}
