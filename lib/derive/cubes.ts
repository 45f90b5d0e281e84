import type { Sql } from "@/db/client";

/** The daily cubes (db/schema/derived.ts) of a snapshot, from its order facts and episodes. */
export async function deriveDailyCubes(tx: Sql, asOf: string): Promise<void> {
  const doneWithin = (w: number) => `count(*) FILTER (WHERE status <> 'cancelled' AND days_to_scan <= ${w})::int`;
  const documentedWithin = (w: number) =>
    `count(*) FILTER (WHERE status <> 'cancelled' AND days_to_scan <= ${w} AND result_documented)::int`;
  await tx.query(
    `INSERT INTO order_days (as_of, order_date, payer_key, plan_id, product_line, live,
       done_30, done_60, done_90, done_180, documented_30, documented_60, documented_90, documented_180,
       live_ehr, captured)
     SELECT $1::date, order_date, payer_key, plan_id, product_line,
       count(*) FILTER (WHERE status <> 'cancelled')::int,
       ${[30, 60, 90, 180].map(doneWithin).join(", ")},
       ${[30, 60, 90, 180].map(documentedWithin).join(", ")},
       count(*) FILTER (WHERE status <> 'cancelled' AND source = 'ehr')::int,
       count(*) FILTER (WHERE status <> 'cancelled' AND source = 'ehr' AND captured)::int
     FROM order_facts WHERE as_of = $1::date
     GROUP BY order_date, payer_key, plan_id, product_line`,
    [asOf],
  );
  await tx.query(
    `INSERT INTO episode_days (as_of, episode_date, payer_key, plan_id, product_line, episodes, followed_up)
     SELECT $1::date, episode_date, payer_key, plan_id, product_line, count(*)::int,
       count(*) FILTER (WHERE follow_up_date IS NOT NULL)::int
     FROM fracture_episodes WHERE as_of = $1::date
     GROUP BY episode_date, payer_key, plan_id, product_line`,
    [asOf],
  );
}
