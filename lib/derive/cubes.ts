import type { Sql } from "@/db/client";
import { withHashJoins } from "./session";
import { CENTRAL_DXA_CODES, sqlList } from "./codes";

// The cubes (db/schema/derived.ts) of a snapshot, from its order facts, episodes and effective
// lines: in full, or changed by the difference between the facts of some members before and
// after an incremental derivation (counts are sums, so the difference is exact).

const WINDOWS = [30, 60, 90, 180] as const;
const LONGEST_WINDOW = 180;
/** The cubes' key columns that are null for facts of no plan (Unknown payer). */
const PLAN_COLUMNS = ["plan_id", "product_line"] as const;

/** A snapshot table of counts by cell, which a refresh changes cell by cell (applyDifference). */
export type Cells = {
  table: string;
  key: readonly string[];
  counts: readonly string[];
  /** The key columns that may be null (a null matches a null). */
  nullable: readonly string[];
  /** The condition on its counts for a cell to be kept (otherwise it goes). */
  kept: string;
};

type Cube = Cells & {
  /** The counts as aggregates over fact rows. */
  expressions: string;
  /** The facts a cell counts, as a condition on a fact row (none: every row). */
  facts?: string;
};

const doneWithin = (w: number) => `count(*) FILTER (WHERE status <> 'cancelled' AND days_to_scan <= ${w})::int AS done_${w}`;
const documentedWithin = (w: number) =>
  `count(*) FILTER (WHERE status <> 'cancelled' AND days_to_scan <= ${w} AND result_documented)::int AS documented_${w}`;

const ORDER_DAYS: Cube = {
  table: "order_days",
  key: ["order_date", "payer_key", "plan_id", "product_line"],
  counts: ["orders", "live", ...WINDOWS.map((w) => `done_${w}`), ...WINDOWS.map((w) => `documented_${w}`), "live_ehr", "captured"],
  expressions: [
    "count(*)::int AS orders",
    "count(*) FILTER (WHERE status <> 'cancelled')::int AS live",
    ...WINDOWS.map(doneWithin),
    ...WINDOWS.map(documentedWithin),
    "count(*) FILTER (WHERE status <> 'cancelled' AND source = 'ehr')::int AS live_ehr",
    "count(*) FILTER (WHERE status <> 'cancelled' AND source = 'ehr' AND captured)::int AS captured",
  ].join(", "),
  nullable: PLAN_COLUMNS,
  kept: "orders > 0",
};

const EPISODE_DAYS: Cube = {
  table: "episode_days",
  key: ["episode_date", "payer_key", "plan_id", "product_line"],
  counts: ["episodes", "followed_up"],
  expressions: "count(*)::int AS episodes, count(*) FILTER (WHERE follow_up_date IS NOT NULL)::int AS followed_up",
  nullable: PLAN_COLUMNS,
  kept: "episodes > 0",
};

const SCAN_DAYS: Cube = {
  table: "scan_days",
  key: ["order_date", "payer_key", "plan_id", "product_line", "days_to_scan"],
  counts: ["orders"],
  expressions: "count(*)::int AS orders",
  facts: `status <> 'cancelled' AND days_to_scan <= ${LONGEST_WINDOW}`,
  nullable: PLAN_COLUMNS,
  kept: "orders > 0",
};

const SCAN_MONTHS: Cube = {
  table: "scan_months",
  key: ["order_month", "payer_key", "plan_id", "product_line", "days_to_scan"],
  counts: ["orders"],
  expressions: "sum(orders)::int AS orders",
  nullable: PLAN_COLUMNS,
  kept: "orders > 0",
};

const DXA_LINE_DAYS: Cube = {
  table: "dxa_line_days",
  key: ["service_date", "payer_key", "plan_id", "product_line"],
  counts: ["lines", "denied"],
  expressions: "count(*)::int AS lines, count(*) FILTER (WHERE line_status = 'denied')::int AS denied",
  nullable: PLAN_COLUMNS,
  kept: "lines > 0",
};

/** Central DXA effective lines with the payer and product line of the plan billed, from
 *  `lines` (rows of effective_lines). */
const centralLines = (lines: string) =>
  `SELECT e.service_date, p.payer_key, e.plan_id, p.product_line, e.line_status
   FROM (${lines}) e JOIN plans p ON p.plan_id = e.plan_id
   WHERE e.procedure_code IN (${sqlList(CENTRAL_DXA_CODES)})`;

/** Scan-month rows from scan-day ones (`days`: rows with order_date, key and orders). */
const byMonth = (days: string) =>
  `SELECT date_trunc('month', order_date)::date AS order_month, payer_key, plan_id, product_line, days_to_scan, orders FROM (${days}) d`;

const where = (cube: Cube) => (cube.facts ? `WHERE ${cube.facts}` : "");

async function fill(tx: Sql, asOf: string, cube: Cube, rows: string): Promise<void> {
  const key = cube.key.join(", ");
  await tx.query(
    `INSERT INTO ${cube.table} (as_of, ${key}, ${cube.counts.join(", ")})
     SELECT $1::date, ${key}, ${cube.expressions} FROM (${rows}) f ${where(cube)} GROUP BY ${key}`,
    [asOf],
  );
}

/** Every cube of a snapshot from all its facts. */
export async function deriveDailyCubes(tx: Sql, asOf: string): Promise<void> {
  await fill(tx, asOf, ORDER_DAYS, "SELECT * FROM order_facts WHERE as_of = $1::date");
  await fill(tx, asOf, EPISODE_DAYS, "SELECT * FROM fracture_episodes WHERE as_of = $1::date");
  await fill(tx, asOf, SCAN_DAYS, "SELECT * FROM order_facts WHERE as_of = $1::date");
  await fill(tx, asOf, SCAN_MONTHS, byMonth("SELECT * FROM scan_days WHERE as_of = $1::date"));
  await fill(tx, asOf, DXA_LINE_DAYS, centralLines("SELECT * FROM effective_lines WHERE as_of = $1::date"));
}

/**
 * Changes every cube by some members' facts now (temp tables `now.orders`, `now.episodes`, and
 * the effective lines that changed, `now.lines`) minus theirs before (`old`, the same shapes). A
 * cell whose row count falls to 0 goes, a new one comes: the cubes are then what a full
 * derivation gives.
 */
export async function applyCubeDifference(
  tx: Sql,
  asOf: string,
  now: { orders: string; episodes: string; lines: string },
  old: { orders: string; episodes: string; lines: string },
): Promise<void> {
  const ordersNow = `SELECT * FROM ${now.orders}`;
  await computeDifference(tx, asOf, ORDER_DAYS, ordersNow, `SELECT * FROM ${old.orders}`);
  await applyDifference(tx, asOf, ORDER_DAYS);
  await computeDifference(tx, asOf, EPISODE_DAYS, `SELECT * FROM ${now.episodes}`, `SELECT * FROM ${old.episodes}`);
  await applyDifference(tx, asOf, EPISODE_DAYS);
  await computeDifference(tx, asOf, SCAN_DAYS, ordersNow, `SELECT * FROM ${old.orders}`);
  await applyDifference(tx, asOf, SCAN_DAYS);
  await tx.exec(`CREATE TEMP TABLE d_scan_months_difference ON COMMIT DROP AS
    SELECT order_month, payer_key, plan_id, product_line, days_to_scan, sum(orders)::int AS orders
    FROM (${byMonth("SELECT * FROM d_scan_days_difference")}) d
    GROUP BY order_month, payer_key, plan_id, product_line, days_to_scan HAVING sum(orders) <> 0`);
  await applyDifference(tx, asOf, SCAN_MONTHS);
  await computeDifference(tx, asOf, DXA_LINE_DAYS, centralLines(`SELECT * FROM ${now.lines}`), centralLines(`SELECT * FROM ${old.lines}`));
  await applyDifference(tx, asOf, DXA_LINE_DAYS);
}

/** Temp table d_<cube>_difference: the cube's cells over `now` minus those over `before`,
 *  the cells that differ only. */
async function computeDifference(tx: Sql, asOf: string, cube: Cube, now: string, before: string): Promise<void> {
  const key = cube.key.join(", ");
  await tx.query(
    `CREATE TEMP TABLE d_${cube.table}_difference ON COMMIT DROP AS
     SELECT ${key}, ${cube.counts.map((n) => `sum(${n})::int AS ${n}`).join(", ")} FROM (
       SELECT ${key}, ${cube.expressions} FROM (${now}) f ${where(cube)} GROUP BY ${key}
       UNION ALL
       SELECT ${key}, ${cube.counts.map((n) => `-${n} AS ${n}`).join(", ")}
       FROM (SELECT ${key}, ${cube.expressions} FROM (${before}) f ${where(cube)} GROUP BY ${key}) b
     ) d
     -- $1 typed here too: not every fact query uses it.
     WHERE $1::date IS NOT NULL
     GROUP BY ${key}
     HAVING ${cube.counts.map((n) => `sum(${n}) <> 0`).join(" OR ")}`,
    [asOf],
  );
}

/** Adds temp table d_<table>_difference (one row per cell) to the table, cell by cell: each
 *  changed cell's rows are replaced by one row of their sum and the difference's. */
export async function applyDifference(tx: Sql, asOf: string, cube: Cells): Promise<void> {
  const key = cube.key.join(", ");
  // Cells matched on every key column, nulls (no plan, no product line) equal to each other;
  // the others never null, compared by = so that the match can use a hash.
  const sameCell = (a: string, b: string) =>
    cube.key.map((k) => (cube.nullable.includes(k) ? `${a}.${k} IS NOT DISTINCT FROM ${b}.${k}` : `${a}.${k} = ${b}.${k}`)).join(" AND ");
  const differenceColumns = [...cube.key, ...cube.counts].map((c) => `d.${c}`).join(", ");
  // Summed, since a cell may hold several rows (screening corners that earlier refreshes appended).
  await tx.exec(`ANALYZE d_${cube.table}_difference`);
  // The rows' places (ctid) found here are those deleted: a second join of the table with the
  // changed cells sorted the whole table (screening corners: 450,000 rows for 50,000 cells).
  // The join reads the whole cube whatever the plan, and hashing it is the cheap way: the
  // planner sorted all of scan_days (437,000 rows at 2,000,000 members) for a merge join, 0.4-1.5 s
  // of a refresh against 0.16 s hashed, and looked up 51,000 changed screening corners one by one
  // by index, 0.3 s against 0.15 s; it chose the merge join with statistics for as_of too.
  await withHashJoins(tx, () =>
    tx.query(
    `CREATE TEMP TABLE d_${cube.table}_changed ON COMMIT DROP AS
     SELECT ${cube.key.map((k) => `d.${k}`).join(", ")}, ${cube.counts.map((n) => `(coalesce(sum(x.${n}), 0) + d.${n})::int AS ${n}`).join(", ")},
       array_agg(x.ctid) FILTER (WHERE x.ctid IS NOT NULL) AS places
     FROM d_${cube.table}_difference d
     LEFT JOIN ${cube.table} x ON x.as_of = $1::date AND ${sameCell("x", "d")}
     GROUP BY ${differenceColumns}`,
      [asOf],
    ),
  );
  await tx.exec(`DELETE FROM ${cube.table} WHERE ctid = ANY (ARRAY(SELECT unnest(places) FROM d_${cube.table}_changed))`);
  await tx.query(
    `INSERT INTO ${cube.table} (as_of, ${key}, ${cube.counts.join(", ")})
     SELECT $1::date, ${key}, ${cube.counts.join(", ")} FROM d_${cube.table}_changed WHERE ${cube.kept}`,
    [asOf],
  );
}
