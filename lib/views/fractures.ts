import { assertMemberLevel, payerScopeParam } from "../access";
import { FRACTURE_FOLLOW_UP_DAYS } from "../derive/codes";
import { toMeasureQuery } from "../filters";
import { getMeasure, type ReportableResult } from "../measures";
import type { ViewContext } from "./context";

export type OpenEpisode = {
  memberId: string;
  episodeDate: string;
  daysSince: number;
  payerName: string;
  planName: string | null;
  /** `missed`: 180 days passed without a DXA order or study; `open`: still within them. */
  state: "missed" | "open";
};

export async function getFractureMeasures(ctx: ViewContext): Promise<{ byPayer: ReportableResult; byPlan: ReportableResult }> {
  const base = { ...ctx.filters, measure: "post_fracture" as const };
  const [byPayer, byPlan] = await Promise.all([
    getMeasure(ctx, toMeasureQuery(base, ctx.asOf, { groupBy: "payer" }), { suppress: ctx.suppress }),
    getMeasure(ctx, toMeasureQuery(base, ctx.asOf, { groupBy: "plan" }), { suppress: ctx.suppress }),
  ]);
  return { byPayer, byPlan };
}

/** Fracture episodes of the period with no DXA follow-up so far, oldest first (member-level). */
export async function listOpenEpisodes(ctx: ViewContext, limit = 200): Promise<OpenEpisode[]> {
  const { db, viewer, filters, asOf } = ctx;
  assertMemberLevel(viewer, "episodes");
  const list = (values: readonly string[]) => (values.length > 0 ? [...values] : null);
  return db.query<OpenEpisode>(
    `SELECT e.member_id AS "memberId", e.episode_date AS "episodeDate", ($1::date - e.episode_date)::int AS "daysSince",
       p.display_name AS "payerName", pl.plan_name AS "planName",
       CASE WHEN e.episode_date + ${FRACTURE_FOLLOW_UP_DAYS} <= $1::date THEN 'missed' ELSE 'open' END AS state
     FROM fracture_episodes e
     JOIN payers p ON p.key = e.payer_key
     LEFT JOIN plans pl ON pl.plan_id = e.plan_id
     WHERE e.as_of = $1::date AND e.episode_date BETWEEN $2::date AND $3::date AND e.follow_up_date IS NULL
       AND ($4::text[] IS NULL OR e.payer_key = ANY ($4::text[]))
       AND ($5::text[] IS NULL OR e.plan_id = ANY ($5::text[]))
       AND ($6::text[] IS NULL OR e.product_line::text = ANY ($6::text[]))
       AND ($7::text[] IS NULL OR e.payer_key = ANY ($7::text[]))
     ORDER BY e.episode_date, e.member_id
     LIMIT $8`,
    [asOf, filters.from, filters.to, list(filters.payers), list(filters.plans), list(filters.productLines), payerScopeParam(viewer), limit],
  );
}
