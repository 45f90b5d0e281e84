import type { Sql } from "@/db/client";

/**
 * Groups dated events per member into episodes that start at an event and take in every later
 * event up to `gapDays` after that start (not after the previous event): studies (7 days),
 * claim-only orders (14), fracture episodes (180).
 *
 * Reads temp table `source` (member_id, d date, …) and replaces it by the same rows with a
 * column `cluster_start` added (indexes on `source` are not carried over).
 *
 * An event more than `gapDays` after the one before it always starts an episode (the episode's
 * start is no later than that previous event), so those events cut each member's dates into
 * chains; a chain no longer than `gapDays` from its first date to its last is one episode. That
 * is one window pass, and covers nearly every chain (a study's split bills, an order's repeated
 * 3096F lines). Only the chains longer than that are walked, start by start, by a recursive
 * query whose rounds are the most episodes in one chain.
 */
export async function assignClusters(tx: Sql, source: string, gapDays: number): Promise<void> {
  await tx.exec(`
    CREATE TEMP TABLE ${source}_chained ON COMMIT DROP AS
    SELECT c.*, max(CASE WHEN c.previous IS NULL OR c.d > c.previous + ${gapDays} THEN c.d END)
        OVER (PARTITION BY c.member_id ORDER BY c.d) AS cluster_start
    FROM (SELECT s.*, lag(s.d) OVER (PARTITION BY s.member_id ORDER BY s.d) AS previous FROM ${source} s) c;
    ALTER TABLE ${source}_chained DROP COLUMN previous;
    -- The chains spanning more than gapDays, and their dates in order.
    CREATE TEMP TABLE ${source}_long ON COMMIT DROP AS
    SELECT DISTINCT c.member_id, c.cluster_start AS chain, c.d
    FROM ${source}_chained c
    JOIN (SELECT DISTINCT member_id, cluster_start FROM ${source}_chained WHERE d > cluster_start + ${gapDays}) l
      ON l.member_id = c.member_id AND l.cluster_start = c.cluster_start
    ORDER BY 1, 2, 3;
    CREATE INDEX ON ${source}_long (member_id, chain, d);
    ANALYZE ${source}_long;
    CREATE TEMP TABLE ${source}_starts ON COMMIT DROP AS
    WITH RECURSIVE starts (member_id, chain, start_date) AS (
      SELECT DISTINCT member_id, chain, chain FROM ${source}_long
      UNION ALL
      SELECT s.member_id, s.chain, nxt.d
      FROM starts s
      CROSS JOIN LATERAL (
        SELECT x.d FROM ${source}_long x
        WHERE x.member_id = s.member_id AND x.chain = s.chain AND x.d > s.start_date + ${gapDays}
        ORDER BY x.d LIMIT 1
      ) nxt
    )
    -- Starts ascend, so a date's episode is the latest start on or before it.
    SELECT x.member_id, x.chain, x.d, max(st.start_date) OVER (PARTITION BY x.member_id, x.chain ORDER BY x.d) AS cluster_start
    FROM ${source}_long x
    LEFT JOIN starts st ON st.member_id = x.member_id AND st.chain = x.chain AND st.start_date = x.d;
    UPDATE ${source}_chained c SET cluster_start = s.cluster_start
    FROM ${source}_starts s
    WHERE s.member_id = c.member_id AND s.chain = c.cluster_start AND s.d = c.d AND s.cluster_start <> s.chain;
    DROP TABLE ${source}, ${source}_long, ${source}_starts;
    ALTER TABLE ${source}_chained RENAME TO ${source};
  `);
}
