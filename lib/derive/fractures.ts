import type { Sql } from "@/db/client";
import { planJoin, UNKNOWN_PAYER, withCoveragePlan } from "./attribution";
import { assignClusters } from "./cluster";
import { EPISODE_GAP_DAYS, FRACTURE_FOLLOW_UP_DAYS, FRACTURE_MIN_AGE, joinedHasFractureCode } from "./codes";
import { factsOf, memberIn, type MemberScope } from "./scope";

/** D6: fragility fracture episodes of members aged 50+, and their first DXA follow-up (a live
 *  order or a study within 180 days), for the members of the scope (whose episodes are not among
 *  its fracture_episodes, factsOf). Needs their order_facts and dxa_studies. */
export async function deriveFractureEpisodes(tx: Sql, asOf: string, scope: MemberScope): Promise<void> {
  // The lines with a fracture code first (read once, by themselves), then the members' ages.
  await tx.query(
    `CREATE TEMP TABLE d_fracture_coded ON COMMIT DROP AS
     SELECT e.member_id, e.service_date AS d, e.claim_id, e.line_number, e.plan_id
     FROM ${factsOf(scope, "effective_lines")} e
     CROSS JOIN LATERAL (SELECT array_to_string(e.diagnosis_codes, ',') AS joined) dx
     WHERE e.as_of = $1::date AND ${joinedHasFractureCode("dx.joined")}`,
    [asOf],
  );
  // The ages: for every member a full derivation joins the whole members table; a refresh's few
  // thousand members with a fracture line are looked up by its index (memberIn), where the
  // planner hashed all 2,000,000 members for 12,500 lines (0.3-0.5 s a refresh).
  const members = scope.members ? `(SELECT member_id, birth_date FROM members WHERE ${memberIn("member_id", "d_fracture_coded")})` : "members";
  await tx.exec(`
    ANALYZE d_fracture_coded;
    CREATE TEMP TABLE d_fracture_lines ON COMMIT DROP AS
    SELECT e.* FROM d_fracture_coded e JOIN ${members} m ON m.member_id = e.member_id
    WHERE extract(year FROM age(e.d, m.birth_date)) >= ${FRACTURE_MIN_AGE};
  `);
  await assignClusters(tx, "d_fracture_lines", EPISODE_GAP_DAYS);
  await tx.exec(`
    CREATE TEMP TABLE d_episodes ON COMMIT DROP AS
    SELECT member_id, cluster_start AS episode_date, count(*)::int AS line_count,
      (array_agg(plan_id ORDER BY d, claim_id COLLATE "C", line_number))[1] AS billed_plan_id
    FROM d_fracture_lines GROUP BY member_id, cluster_start;
    ANALYZE d_episodes;
  `);
  // What follows an episode up: the first live order (any source) or study on or after its
  // date, when within 180 days.
  await tx.query(
    `CREATE TEMP TABLE d_follow_ups ON COMMIT DROP AS
     SELECT member_id, order_date AS d FROM ${factsOf(scope, "order_facts")}
     WHERE as_of = $1::date AND status <> 'cancelled'
     UNION ALL
     SELECT member_id, study_date FROM ${factsOf(scope, "dxa_studies")} WHERE as_of = $1::date`,
    [asOf],
  );
  await tx.exec(`
    ANALYZE d_follow_ups;
    CREATE TEMP TABLE d_episode_follow_ups ON COMMIT DROP AS
    SELECT ep.member_id, ep.episode_date, min(f.d) AS follow_up_date
    FROM d_episodes ep
    JOIN d_follow_ups f ON f.member_id = ep.member_id AND f.d BETWEEN ep.episode_date AND ep.episode_date + ${FRACTURE_FOLLOW_UP_DAYS}
    GROUP BY ep.member_id, ep.episode_date;
  `);
  await tx.query(
    `INSERT INTO ${factsOf(scope, "fracture_episodes")} (as_of, member_id, episode_date, line_count, plan_id, payer_key,
       product_line, follow_up_date, follow_up_days)
     SELECT $1::date, ep.member_id, ep.episode_date, ep.line_count, p.plan_id,
       coalesce(p.payer_key, '${UNKNOWN_PAYER}'), p.product_line,
       fu.follow_up_date, fu.follow_up_date - ep.episode_date
     FROM (${withCoveragePlan("d_episodes", ["member_id", "episode_date"], "member_id", "episode_date", scope)}) ep
     LEFT JOIN d_episode_follow_ups fu ON fu.member_id = ep.member_id AND fu.episode_date = ep.episode_date
     ${planJoin("coalesce(ep.covered_plan_id, ep.billed_plan_id)", "p")}`,
    [asOf],
  );
}
