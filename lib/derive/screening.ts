import type { Sql } from "@/db/client";
import { applyDifference, type Cells } from "./cubes";
import { coverageOf, EVERY_MEMBER, inScope, type MemberScope } from "./scope";

// screening_ordering (SPEC section 5) precomputed with the snapshot, for every period of whole
// months: screening_months (db/schema/derived.ts), built from screening_corners.
//
// Months are numbered year × 12 + month − 1. For a period from the first day of month F to the
// last day of month E, a woman counts in the denominator when on E's last day she is 65–85 and a
// coverage span is active (her plan then is the attributed one, D7), and no study of hers falls
// in [F's first day − 730, F's first day − 1]; in the numerator when, besides, a live order of
// hers is dated in months F…E. Per woman that is a union of rectangles in the (F, E) plane:
// E runs over the months in which her age and plan hold (a segment), F over the months no study
// excludes (a study on day s excludes F in months(s) + 1 … month(s + 730)); for the numerator,
// E from the month of an order up to the month before her next one, and F up to that order's
// month. Each rectangle adds ±1 at its four corners; the count of a cell is the sum of every
// corner at or before it in both F and E. Corners of all women add up per plan, so the table
// stays small, and a refresh adds the corners of the members it touched (new minus old).

const INFINITE = 1_000_000;
const monthNumber = (d: string) => `(date_part('year', ${d})::int * 12 + date_part('month', ${d})::int - 1)`;
const monthFirst = (m: string) => `make_date((${m}) / 12, (${m}) % 12 + 1, 1)`;
const monthLast = (m: string) => `(${monthFirst(m)} + interval '1 month' - interval '1 day')::date`;

/** A woman's studies and orders as a relation of member_id and study_date, and one of member_id,
 *  order_date and status; her corners from them count `sign` times. */
export type ScreeningFacts = { studies: string; orders: string; sign: 1 | -1 };

/**
 * Adds to temp table `target` (plan_id, month_from, month_to, denominator, numerator) the corners
 * of the women of the scope from each set of facts (a refresh: theirs as they were, −1, and as
 * they are, +1; their segments, which facts do not change, are found once).
 */
export async function addScreeningCorners(tx: Sql, scope: MemberScope, factSets: readonly ScreeningFacts[], target: string): Promise<void> {
  // Women's coverage spans as the month ends each covers while she is 65–85. Her age test is
  // the population query's (lib/measures/units.ts): born on or before the day 65 years before
  // the month's last day, and after the day 86 years before. For a woman born in month b that
  // holds from month b + 65 × 12 to b + 86 × 12 − 1 — one month later at both ends when she was
  // born on 29 February: 65 and 86 years on from a leap year are never leap years, and
  // PostgreSQL takes 65 years from 28 February to 28 February. A span covers a month's last day
  // from the month it starts in to the month it ends in (the one before, unless it ends on a
  // month's last day); an open span, to her 86th birthday.
  await tx.exec(`
    -- Read by itself first (memberIn, ./scope.ts), then joined.
    CREATE TEMP TABLE d_sc_women ON COMMIT DROP AS
    SELECT member_id, born + ${65 * 12} + leap AS age_from, born + ${86 * 12 - 1} + leap AS age_to
    FROM (
      SELECT member_id, ${monthNumber("birth_date")} AS born,
        CASE WHEN date_part('month', birth_date) = 2 AND date_part('day', birth_date) = 29 THEN 1 ELSE 0 END AS leap
      FROM members WHERE sex = 'F' ${inScope(scope, "member_id")}
    ) m;
    ANALYZE d_sc_women;
    CREATE TEMP TABLE d_sc_spans ON COMMIT DROP AS
    SELECT member_id, plan_id, start_date, month_from, month_to,
      coalesce(month_from <= max(month_to) OVER (PARTITION BY member_id ORDER BY month_from, month_to
        ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), false) AS overlaps_earlier
    FROM (
      -- OFFSET 0: the months are computed once per span, not again in a filter pushed into the join.
      SELECT cv.member_id, cv.plan_id COLLATE "C" AS plan_id, cv.start_date,
        greatest(${monthNumber("cv.start_date")}, w.age_from) AS month_from,
        least(coalesce(${monthNumber("cv.end_date + 1")} - 1, w.age_to), w.age_to) AS month_to
      FROM ${coverageOf(scope)} cv JOIN d_sc_women w ON w.member_id = cv.member_id
      OFFSET 0
    ) s WHERE month_from <= month_to;
    -- Segments: runs of month ends with one plan. A woman's spans that do not overlap are her
    -- segments; where some do (a second plan), the months between consecutive span boundaries,
    -- each with the plan D7 picks among the spans covering them (latest start, then smallest
    -- plan id in byte order). Those women's spans are copied out and counted first: joining
    -- their boundaries to every woman's spans sorted all 1.5 million of them at 2,000,000
    -- members, for 50,000 women (1.8 s against 1.0 s with the copy).
    CREATE TEMP TABLE d_sc_overlapping ON COMMIT DROP AS SELECT DISTINCT member_id FROM d_sc_spans WHERE overlaps_earlier;
    ANALYZE d_sc_overlapping;
    CREATE TEMP TABLE d_sc_overlapping_spans ON COMMIT DROP AS
    SELECT s.* FROM d_sc_spans s WHERE s.member_id IN (SELECT member_id FROM d_sc_overlapping);
    ANALYZE d_sc_overlapping_spans;
    CREATE TEMP TABLE d_sc_segments ON COMMIT DROP AS
    SELECT s.member_id, s.plan_id, s.month_from, s.month_to FROM d_sc_spans s
    WHERE NOT EXISTS (SELECT 1 FROM d_sc_overlapping o WHERE o.member_id = s.member_id)
    UNION ALL
    (SELECT DISTINCT ON (b.member_id, b.m) b.member_id, sp.plan_id, b.m, b.next - 1
    FROM (
      SELECT member_id, m, lead(m) OVER (PARTITION BY member_id ORDER BY m) AS next
      FROM (
        SELECT member_id, month_from AS m FROM d_sc_overlapping_spans
        UNION SELECT member_id, month_to + 1 FROM d_sc_overlapping_spans
      ) x
    ) b
    JOIN d_sc_overlapping_spans sp ON sp.member_id = b.member_id AND sp.month_from <= b.m AND b.m <= sp.month_to
    WHERE b.next IS NOT NULL
    ORDER BY b.member_id, b.m, sp.start_date DESC, sp.plan_id);
    ANALYZE d_sc_segments;
    DROP TABLE d_sc_women, d_sc_spans, d_sc_overlapping, d_sc_overlapping_spans;
  `);
  for (const facts of factSets) await addCornersOfSegments(tx, facts, target);
  await tx.exec(`DROP TABLE d_sc_segments`);
}

/** The members with a segment (women 65–85 with coverage), for facts that are worth filtering to
 *  them (a refresh's few members; in a full derivation the filter costs more than it saves). */
export const SEGMENT_MEMBERS = "SELECT member_id FROM d_sc_segments";

/** The corners of the women of temp table d_sc_segments with the given facts (see above). */
async function addCornersOfSegments(tx: Sql, facts: ScreeningFacts, target: string): Promise<void> {
  // The period starts a member's studies exclude (a study on day s: months(s) + 1 to
  // month(s + 730)), merged; and the starts left, for the members with a study. (Men's studies
  // and orders are not filtered out: no segment joins them, and filtering costs more.)
  await tx.exec(`
    CREATE TEMP TABLE d_sc_excluded ON COMMIT DROP AS
    SELECT member_id, min(month_from) AS month_from, max(month_to) AS month_to FROM (
      SELECT member_id, month_from, month_to,
        count(*) FILTER (WHERE starts) OVER (PARTITION BY member_id ORDER BY month_from, month_to) AS island
      FROM (
        SELECT member_id, month_from, month_to,
          coalesce(month_from > max(month_to) OVER (PARTITION BY member_id ORDER BY month_from, month_to
            ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) + 1, true) AS starts
        FROM (
          SELECT DISTINCT s.member_id, ${monthNumber("s.study_date")} + 1 AS month_from, ${monthNumber("s.study_date + 730")} AS month_to
          FROM (${facts.studies}) s
        ) x
      ) y
    ) z
    GROUP BY member_id, island;
    -- Counted: unanalysed, a NOT EXISTS of it over 1.5 million segments (below) sorted them
    -- for a merge join (2-3 s) instead of hashing the excluded members.
    ANALYZE d_sc_excluded;
    CREATE TEMP TABLE d_sc_allowed ON COMMIT DROP AS
    SELECT member_id, coalesce(lag(month_to) OVER (PARTITION BY member_id ORDER BY month_from) + 1, 0) AS month_from, month_from - 1 AS month_to
    FROM d_sc_excluded
    UNION ALL
    SELECT member_id, max(month_to) + 1, ${INFINITE} FROM d_sc_excluded GROUP BY member_id;
    DELETE FROM d_sc_allowed WHERE month_from > month_to;
    ANALYZE d_sc_allowed;
    -- Months with a live order, each with the month of the next one.
    CREATE TEMP TABLE d_sc_orders ON COMMIT DROP AS
    SELECT member_id, m, coalesce(lead(m) OVER (PARTITION BY member_id ORDER BY m), ${INFINITE}) AS next
    FROM (
      SELECT DISTINCT o.member_id, ${monthNumber("o.order_date")} AS m
      FROM (${facts.orders}) o WHERE o.status <> 'cancelled'
    ) x;
    ANALYZE d_sc_orders;
  `);
  // Rectangles [F from, F to] × [E from, E to], then their corners, summed per plan and cell. A
  // woman without a study counts for every F: her denominator rectangles run from F = 0 to
  // INFINITE, whose two corners at F = INFINITE + 1 no period reaches and are left out. (Corners
  // from a table of rectangles by four plain scans: a lateral list of four corners per
  // rectangle cost half as much again. Her rectangles were once two corner lists of their own,
  // each an anti-join of 1.5 million segments, 1.7 s each under load 4 at 2,000,000 members.)
  await tx.exec(`
    CREATE TEMP TABLE d_sc_rectangles ON COMMIT DROP AS
    SELECT s.plan_id, a.month_from AS f1, a.month_to AS f2, s.month_from AS e1, s.month_to AS e2, 1 AS d, 0 AS n
    FROM d_sc_segments s JOIN d_sc_allowed a ON a.member_id = s.member_id
    UNION ALL
    SELECT s.plan_id, 0, ${INFINITE}, s.month_from, s.month_to, 1, 0 FROM d_sc_segments s
    WHERE NOT EXISTS (SELECT 1 FROM d_sc_excluded x WHERE x.member_id = s.member_id)
    UNION ALL
    SELECT s.plan_id, coalesce(a.month_from, 0), least(coalesce(a.month_to, ${INFINITE}), o.m),
      greatest(s.month_from, o.m), least(s.month_to, o.next - 1), 0, 1
    FROM d_sc_segments s
    JOIN d_sc_orders o ON o.member_id = s.member_id AND o.m <= s.month_to AND o.next > s.month_from
    LEFT JOIN d_sc_allowed a ON a.member_id = s.member_id AND a.month_from <= o.m
    WHERE a.member_id IS NOT NULL OR NOT EXISTS (SELECT 1 FROM d_sc_excluded x WHERE x.member_id = s.member_id);
    INSERT INTO ${target} (plan_id, month_from, month_to, denominator, numerator)
    SELECT plan_id, cf, ce, ${facts.sign} * sum(d)::int, ${facts.sign} * sum(n)::int
    FROM (
      SELECT plan_id, f1 AS cf, e1 AS ce, d, n FROM d_sc_rectangles
      UNION ALL SELECT plan_id, f1, e2 + 1, -d, -n FROM d_sc_rectangles
      UNION ALL SELECT plan_id, f2 + 1, e1, -d, -n FROM d_sc_rectangles WHERE f2 < ${INFINITE}
      UNION ALL SELECT plan_id, f2 + 1, e2 + 1, d, n FROM d_sc_rectangles WHERE f2 < ${INFINITE}
    ) k
    GROUP BY plan_id, cf, ce
    HAVING sum(d) <> 0 OR sum(n) <> 0;
    DROP TABLE d_sc_excluded, d_sc_allowed, d_sc_orders, d_sc_rectangles;
  `);
}

/** The corners of a snapshot from all its facts. */
export async function deriveScreeningCorners(tx: Sql, asOf: string): Promise<void> {
  await tx.exec(`CREATE TEMP TABLE d_sc_corners (plan_id text COLLATE "C", month_from int, month_to int, denominator int, numerator int) ON COMMIT DROP`);
  const literal = `'${asOf}'::date`;
  const facts: ScreeningFacts = {
    studies: `SELECT member_id, study_date FROM dxa_studies WHERE as_of = ${literal}`,
    orders: `SELECT member_id, order_date, status FROM order_facts WHERE as_of = ${literal}`,
    sign: 1,
  };
  await addScreeningCorners(tx, EVERY_MEMBER, [facts], "d_sc_corners");
  await tx.query(
    `INSERT INTO screening_corners (as_of, plan_id, month_from, month_to, denominator, numerator)
     SELECT $1::date, plan_id, month_from, month_to, denominator, numerator FROM d_sc_corners`,
    [asOf],
  );
  await tx.exec(`DROP TABLE d_sc_corners`);
}

const SCREENING_CORNERS: Cells = {
  table: "screening_corners",
  key: ["plan_id", "month_from", "month_to"],
  counts: ["denominator", "numerator"],
  nullable: [],
  kept: "denominator <> 0 OR numerator <> 0",
};

/** Adds the corners in temp table `difference` (same columns; a cell in several rows) to the
 *  snapshot's, cell by cell: only the cells the difference changes are read and written. */
export async function mergeScreeningCorners(tx: Sql, asOf: string, difference: string): Promise<void> {
  await tx.exec(
    `CREATE TEMP TABLE d_screening_corners_difference ON COMMIT DROP AS
     SELECT plan_id, month_from, month_to, sum(denominator)::int AS denominator, sum(numerator)::int AS numerator FROM ${difference}
     GROUP BY plan_id, month_from, month_to HAVING sum(denominator) <> 0 OR sum(numerator) <> 0`,
  );
  await applyDifference(tx, asOf, SCREENING_CORNERS);
}

type Bounds = { f_low: number | null; e_low: number | null; e_high: number };

/**
 * The months buildScreeningMonths spans, from the cells whose corners do not cancel out: the
 * least period start after 0 and the least period end, and the month a year after the as-of
 * date. Read from the rows, not the cells: a cell holds one row (the full derivation's, or
 * mergeScreeningCorners') except in a snapshot refreshed before that merge, which appended
 * differences, so that a cell's rows may cancel out. The least month of the rows is then checked
 * to be a cell's that does not; only if it is not are all 400,000 cells summed (a second).
 */
async function cornerBounds(tx: Sql, asOf: string): Promise<Bounds | undefined> {
  const eHigh = monthNumber("($1::date + interval '1 year')");
  const counts = (at: string) =>
    `EXISTS (SELECT FROM screening_corners WHERE as_of = $1::date AND ${at}
       GROUP BY plan_id, month_from, month_to HAVING sum(denominator) <> 0 OR sum(numerator) <> 0)`;
  const [rows] = await tx.query<Bounds & { exact: boolean }>(
    `SELECT coalesce(f - 1, e) AS f_low, e AS e_low, ${eHigh} AS e_high,
       (f IS NULL OR ${counts("month_from = r.f")}) AND (e IS NULL OR ${counts("month_to = r.e")}) AS exact
     FROM (
       SELECT min(month_from) FILTER (WHERE month_from > 0) AS f, min(month_to) AS e FROM screening_corners
       WHERE as_of = $1::date AND (denominator <> 0 OR numerator <> 0)
     ) r`,
    [asOf],
  );
  if (rows?.exact) return rows;
  const [cells] = await tx.query<Bounds>(
    `SELECT coalesce(min(month_from) FILTER (WHERE month_from > 0) - 1, min(month_to)) AS f_low, min(month_to) AS e_low, ${eHigh} AS e_high
     FROM (
       SELECT plan_id, month_from, month_to FROM screening_corners WHERE as_of = $1::date
       GROUP BY plan_id, month_from, month_to HAVING sum(denominator) <> 0 OR sum(numerator) <> 0
     ) c`,
    [asOf],
  );
  return cells;
}

/**
 * screening_months of a snapshot from its corners: every cell (F, E) with E up to the month a
 * year after the as-of date (the latest period end a filter allows) and F from the month before
 * the earliest corner's F (every earlier start counts alike: no study or order is older) up to
 * E. Ends before that month keep one cell, at that month. The sums over corners at or before a
 * cell are two running sums over a dense grid of the plans' months.
 */
export async function buildScreeningMonths(tx: Sql, asOf: string): Promise<void> {
  await tx.query(`DELETE FROM screening_months WHERE as_of = $1::date`, [asOf]);
  const bounds = await cornerBounds(tx, asOf);
  if (!bounds || bounds.f_low === null || bounds.e_low === null) return;
  const fLow = Math.min(bounds.f_low, bounds.e_high);
  const { e_low: eLow, e_high: eHigh } = bounds;
  const insert = `INSERT INTO screening_months (as_of, period_start, period_end, payer_key, plan_id, product_line, denominator, numerator)`;
  const cell = (f: string, e: string) =>
    `SELECT $1::date, ${monthFirst(f)}, ${monthLast(e)}, p.payer_key, v.plan_id, p.product_line, v.denominator, v.numerator`;
  // Periods ending in month fLow or later: F and E both from fLow (earlier corners moved there).
  await tx.query(
    `${insert}
     ${cell("v.f", "v.e")}
     FROM (
       SELECT plan_id, f, e,
         sum(den_f) OVER (PARTITION BY plan_id, f ORDER BY e)::int AS denominator,
         sum(num_f) OVER (PARTITION BY plan_id, f ORDER BY e)::int AS numerator
       FROM (
         SELECT g.plan_id, g.f, g.e,
           sum(coalesce(c.denominator, 0)) OVER (PARTITION BY g.plan_id, g.e ORDER BY g.f) AS den_f,
           sum(coalesce(c.numerator, 0)) OVER (PARTITION BY g.plan_id, g.e ORDER BY g.f) AS num_f
         FROM (
           SELECT pl.plan_id, f, e
           FROM (SELECT DISTINCT plan_id FROM screening_corners WHERE as_of = $1::date) pl
           CROSS JOIN generate_series($2::int, $3::int) f CROSS JOIN generate_series($2::int, $3::int) e
         ) g
         LEFT JOIN (
           SELECT plan_id, greatest(month_from, $2::int) AS f, greatest(month_to, $2::int) AS e,
             sum(denominator) AS denominator, sum(numerator) AS numerator
           FROM screening_corners WHERE as_of = $1::date AND month_from <= $3::int AND month_to <= $3::int
           GROUP BY 1, 2, 3
         ) c ON c.plan_id = g.plan_id AND c.f = g.f AND c.e = g.e
       ) r
     ) v
     JOIN plans p ON p.plan_id = v.plan_id
     WHERE v.f <= v.e AND (v.denominator <> 0 OR v.numerator <> 0)`,
    [asOf, fLow, eHigh],
  );
  // Periods ending before month fLow: one cell each, at F = fLow (no study or order before it).
  if (eLow < fLow) {
    await tx.query(
      `${insert}
       ${cell("$2::int", "v.e")}
       FROM (
         SELECT plan_id, e, sum(denominator) OVER (PARTITION BY plan_id ORDER BY e)::int AS denominator,
           sum(numerator) OVER (PARTITION BY plan_id ORDER BY e)::int AS numerator
         FROM (
           SELECT g.plan_id, g.e, coalesce(sum(c.denominator), 0) AS denominator, coalesce(sum(c.numerator), 0) AS numerator
           FROM (
             SELECT pl.plan_id, e FROM (SELECT DISTINCT plan_id FROM screening_corners WHERE as_of = $1::date) pl
             CROSS JOIN generate_series($3::int, $2::int - 1) e
           ) g
           LEFT JOIN screening_corners c ON c.as_of = $1::date AND c.plan_id = g.plan_id AND c.month_to = g.e AND c.month_from <= $2::int
           GROUP BY g.plan_id, g.e
         ) x
       ) v
       JOIN plans p ON p.plan_id = v.plan_id
       WHERE v.denominator <> 0 OR v.numerator <> 0`,
      [asOf, fLow, eLow],
    );
  }
}
