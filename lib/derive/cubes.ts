import type { Sql } from "@/db/client";
import { memberIn } from "./scope";

// The daily cubes (db/schema/derived.ts) of a snapshot, from its order facts and episodes: in
// full, or changed by the difference between the facts of some members before and after an
// incremental derivation (counts are sums, so the difference is exact).

const WINDOWS = [30, 60, 90, 180] as const;
const ORDER_COUNTS = [
  "orders",
  "live",
  ...WINDOWS.map((w) => `done_${w}`),
  ...WINDOWS.map((w) => `documented_${w}`),
  "live_ehr",
  "captured",
] as const;
const EPISODE_COUNTS = ["episodes", "followed_up"] as const;

/** The order cube's counts over order facts (each an int column of the result). */
function orderCounts(): string {
  const doneWithin = (w: number) => `count(*) FILTER (WHERE status <> 'cancelled' AND days_to_scan <= ${w})::int`;
  const documentedWithin = (w: number) => `count(*) FILTER (WHERE status <> 'cancelled' AND days_to_scan <= ${w} AND result_documented)::int`;
  return [
    "count(*)::int",
    "count(*) FILTER (WHERE status <> 'cancelled')::int",
    ...WINDOWS.map(doneWithin),
    ...WINDOWS.map(documentedWithin),
    "count(*) FILTER (WHERE status <> 'cancelled' AND source = 'ehr')::int",
    "count(*) FILTER (WHERE status <> 'cancelled' AND source = 'ehr' AND captured)::int",
  ]
    .map((expr, i) => `${expr} AS ${ORDER_COUNTS[i]}`)
    .join(", ");
}

const EPISODE_COUNT_EXPRESSIONS = `count(*)::int AS episodes, count(*) FILTER (WHERE follow_up_date IS NOT NULL)::int AS followed_up`;

const NULLABLE = new Set(["plan_id", "product_line"]);
const ORDER_KEY = ["order_date", "payer_key", "plan_id", "product_line"] as const;
const EPISODE_KEY = ["episode_date", "payer_key", "plan_id", "product_line"] as const;

/** Both cubes of a snapshot from all its facts. */
export async function deriveDailyCubes(tx: Sql, asOf: string): Promise<void> {
  await tx.query(
    `INSERT INTO order_days (as_of, ${ORDER_KEY.join(", ")}, ${ORDER_COUNTS.join(", ")})
     SELECT $1::date, ${ORDER_KEY.join(", ")}, ${orderCounts()}
     FROM order_facts WHERE as_of = $1::date
     GROUP BY ${ORDER_KEY.join(", ")}`,
    [asOf],
  );
  await tx.query(
    `INSERT INTO episode_days (as_of, ${EPISODE_KEY.join(", ")}, ${EPISODE_COUNTS.join(", ")})
     SELECT $1::date, ${EPISODE_KEY.join(", ")}, ${EPISODE_COUNT_EXPRESSIONS}
     FROM fracture_episodes WHERE as_of = $1::date
     GROUP BY ${EPISODE_KEY.join(", ")}`,
    [asOf],
  );
}

/**
 * Changes both cubes by the facts of the members in `members` now (order_facts,
 * fracture_episodes) minus theirs before (temp tables `oldOrders`, `oldEpisodes`, rows of the
 * same shape). A cell whose row count falls to 0 goes, a new one comes: the cubes are then what
 * a full derivation gives.
 */
export async function applyCubeDifference(
  tx: Sql,
  asOf: string,
  members: string,
  old: { orders: string; episodes: string },
): Promise<void> {
  await mergeDifference(tx, asOf, {
    cube: "order_days",
    key: ORDER_KEY,
    counts: ORDER_COUNTS,
    expressions: orderCounts(),
    now: `SELECT * FROM order_facts WHERE as_of = $1::date AND ${memberIn("member_id", members)}`,
    before: `SELECT * FROM ${old.orders}`,
    rowCount: "orders",
  });
  await mergeDifference(tx, asOf, {
    cube: "episode_days",
    key: EPISODE_KEY,
    counts: EPISODE_COUNTS,
    expressions: EPISODE_COUNT_EXPRESSIONS,
    now: `SELECT * FROM fracture_episodes WHERE as_of = $1::date AND ${memberIn("member_id", members)}`,
    before: `SELECT * FROM ${old.episodes}`,
    rowCount: "episodes",
  });
}

async function mergeDifference(
  tx: Sql,
  asOf: string,
  c: { cube: string; key: readonly string[]; counts: readonly string[]; expressions: string; now: string; before: string; rowCount: string },
): Promise<void> {
  const key = c.key.join(", ");
  const sums = c.counts.map((n) => `sum(${n})::int AS ${n}`).join(", ");
  // Cells matched on every key column, nulls (no plan, no product line) equal to each other;
  // the anchor date and payer never null, compared by = so that the match can use a hash.
  const sameCell = (a: string, b: string) =>
    c.key.map((k) => (NULLABLE.has(k) ? `${a}.${k} IS NOT DISTINCT FROM ${b}.${k}` : `${a}.${k} = ${b}.${k}`)).join(" AND ");
  await tx.query(
    `CREATE TEMP TABLE d_${c.cube}_difference ON COMMIT DROP AS
     SELECT ${key}, ${sums} FROM (
       SELECT ${key}, ${c.expressions} FROM (${c.now}) f GROUP BY ${key}
       UNION ALL
       SELECT ${key}, ${c.counts.map((n) => `-${n} AS ${n}`).join(", ")}
       FROM (SELECT ${key}, ${c.expressions} FROM (${c.before}) f GROUP BY ${key}) b
     ) d
     GROUP BY ${key}
     HAVING ${c.counts.map((n) => `sum(${n}) <> 0`).join(" OR ")}`,
    [asOf],
  );
  // The cells that change, with their counts after the change.
  await tx.query(
    `CREATE TEMP TABLE d_${c.cube}_changed ON COMMIT DROP AS
     SELECT ${c.key.map((k) => `d.${k}`).join(", ")}, ${c.counts.map((n) => `coalesce(x.${n}, 0) + d.${n} AS ${n}`).join(", ")}
     FROM d_${c.cube}_difference d
     LEFT JOIN ${c.cube} x ON x.as_of = $1::date AND ${sameCell("x", "d")}`,
    [asOf],
  );
  await tx.query(
    `DELETE FROM ${c.cube} x USING d_${c.cube}_changed d WHERE x.as_of = $1::date AND ${sameCell("x", "d")}`,
    [asOf],
  );
  await tx.query(
    `INSERT INTO ${c.cube} (as_of, ${key}, ${c.counts.join(", ")})
     SELECT $1::date, ${key}, ${c.counts.join(", ")} FROM d_${c.cube}_changed WHERE ${c.rowCount} > 0`,
    [asOf],
  );
}
