import type { Sql } from "@/db/client";

/**
 * Groups dated events per member into episodes that start at an event and take in every later
 * event up to `gapDays` after that start (not after the previous event): studies (7 days),
 * claim-only orders (14), fracture episodes (180).
 *
 * Reads temp table `source` (member_id, d date, …) and adds column `cluster_start` to it.
 * Set-based: the recursive step finds every member's next start at once, so the number of
 * rounds is the largest number of episodes of one member, not the number of events.
 */
export async function assignClusters(tx: Sql, source: string, gapDays: number): Promise<void> {
  await tx.exec(`
    CREATE TEMP TABLE ${source}_dates ON COMMIT DROP AS SELECT DISTINCT member_id, d FROM ${source};
    CREATE INDEX ON ${source}_dates (member_id, d);
    ANALYZE ${source}_dates;
    CREATE TEMP TABLE ${source}_starts ON COMMIT DROP AS
    WITH RECURSIVE starts (member_id, start_date) AS (
      SELECT member_id, min(d) FROM ${source}_dates GROUP BY member_id
      UNION ALL
      SELECT s.member_id, nxt.d
      FROM starts s
      CROSS JOIN LATERAL (
        SELECT x.d FROM ${source}_dates x
        WHERE x.member_id = s.member_id AND x.d > s.start_date + ${gapDays}
        ORDER BY x.d LIMIT 1
      ) nxt
    )
    SELECT member_id, start_date FROM starts;
    ALTER TABLE ${source} ADD COLUMN cluster_start date;
    -- Starts ascend, so an event's episode is the latest start on or before it.
    UPDATE ${source} s SET cluster_start = c.cluster_start
    FROM (
      SELECT x.member_id, x.d, max(st.start_date) OVER (PARTITION BY x.member_id ORDER BY x.d) AS cluster_start
      FROM ${source}_dates x
      LEFT JOIN ${source}_starts st ON st.member_id = x.member_id AND st.start_date = x.d
    ) c
    WHERE c.member_id = s.member_id AND c.d = s.d;
  `);
}
