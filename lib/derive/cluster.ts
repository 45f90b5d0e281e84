import type { Sql } from "@/db/client";

/**
 * Groups dated events per member into episodes that start at an event and take in every later
 * event up to `gapDays` after that start (not after the previous event): studies (7 days),
 * claim-only orders (14), fracture episodes (180).
 *
 * Reads temp table `source` (member_id, d date, …) and replaces it by the same rows with a
 * column `cluster_start` added (indexes on `source` are not carried over).
 * Set-based: the recursive step finds every member's next start at once, so the number of
 * rounds is the largest number of episodes of one member, not the number of events.
 */
export async function assignClusters(tx: Sql, source: string, gapDays: number): Promise<void> {
  await tx.exec(`
    -- Stored in index order: a temp table is never vacuumed, so its index-only scans below
    -- visit the heap for every row, which is then read in order rather than at random (at
    -- 2,000,000 members: 0.42 s instead of 2.28 s for the scan of the first dates).
    CREATE TEMP TABLE ${source}_dates ON COMMIT DROP AS
    SELECT DISTINCT member_id, d FROM ${source} ORDER BY member_id, d;
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
    -- A new table rather than an UPDATE of every row: writing each row once, not twice.
    -- Starts ascend, so an event's episode is the latest start on or before it.
    CREATE TEMP TABLE ${source}_clustered ON COMMIT DROP AS
    SELECT s.*, c.cluster_start
    FROM ${source} s
    JOIN (
      SELECT x.member_id, x.d, max(st.start_date) OVER (PARTITION BY x.member_id ORDER BY x.d) AS cluster_start
      FROM ${source}_dates x
      LEFT JOIN ${source}_starts st ON st.member_id = x.member_id AND st.start_date = x.d
    ) c ON c.member_id = s.member_id AND c.d = s.d;
    DROP TABLE ${source};
    ALTER TABLE ${source}_clustered RENAME TO ${source};
  `);
}
