import path from "node:path";
import { DuckDBInstance, type DuckDBConnection } from "@duckdb/node-api";

// SPEC section 4 (D1–D7) written out once as DuckDB SQL over the raw import files, the way an
// analyst with an ad-hoc tool would: no warehouse, no stored facts, every rule from the CSV
// files. Each page's DuckDB script (./duckdb-pages.ts) asks for the steps it needs; a step
// brings the steps it reads. The benchmark times a page's script from reading the files to its
// figures and checks the figures against the warehouse's (./duckdb-check.ts).

/** The raw files' tables and the derived facts, by name. */
export type RawStep =
  | "lines"
  | "plans"
  | "members"
  | "coverage"
  | "effective"
  | "studies"
  | "orders"
  | "outcomes"
  | "episodes"
  | "claims_lag";

const LISTED_PAYERS: [key: string, name: string, aliases: string[]][] = [
  ["aetna", "Aetna", []],
  ["bcbs", "Blue Cross Blue Shield", []],
  ["cigna", "Cigna Health", ["cigna"]],
  ["uhc", "UnitedHealthcare", []],
  ["medicare", "Medicare", []],
];
const UNKNOWN_PAYER = { key: "unknown", name: "Unknown payer" };

const CENTRAL_DXA = `('77080', '77085')`;
export const OTHER_BONE_DENSITY = `('77081', '77086', '77078', '76977', 'G0130')`;

const quote = (value: string) => `'${value.replaceAll("'", "''")}'`;

/**
 * The plan of a member's coverage span active on `anchor` (D7: latest start, then smallest
 * plan_id in byte order, DuckDB's default collation), for each row of `source` keyed by `key`;
 * else `fallback` (a column of the row, or NULL for Unknown payer).
 */
function attributed(source: string, key: string, anchor: string, fallback: string): string {
  return `
    WITH span AS (
      SELECT x.${key} AS k, c.plan_id FROM ${source} x JOIN coverage c
        ON c.member_id = x.member_id AND c.start_date <= x.${anchor} AND (c.end_date IS NULL OR c.end_date >= x.${anchor})
      QUALIFY row_number() OVER (PARTITION BY x.${key} ORDER BY c.start_date DESC, c.plan_id) = 1
    )
    SELECT x.*, p.plan_id, coalesce(p.payer_key, '${UNKNOWN_PAYER.key}') AS payer_key
    FROM ${source} x LEFT JOIN span s ON s.k = x.${key}
    LEFT JOIN plans p ON p.plan_id = coalesce(s.plan_id, ${fallback})`;
}

/**
 * Per member, in date order, a date more than `gap` days after the current cluster's start
 * starts a new cluster (D2 at 7 days, D3 at 14, D6 at 180): `dates` (member_id, d, distinct)
 * gives (member_id, start), one row per cluster.
 */
const clusterStarts = (dates: string, gap: number) => `
  WITH RECURSIVE starts(member_id, s) AS (
    SELECT member_id, min(d) FROM ${dates} GROUP BY member_id
    UNION ALL
    SELECT x.member_id, min(x.d) FROM starts st JOIN ${dates} x ON x.member_id = st.member_id AND x.d > st.s + ${gap} GROUP BY x.member_id
  ) SELECT member_id, s AS start FROM starts`;

type StepSql = { needs: RawStep[]; sql: (folder: string, asOf: string | null) => string };

const csv = (folder: string, file: string) => `read_csv(${quote(path.join(folder, file))}, header = true, all_varchar = true)`;

const STEPS: Record<RawStep, StepSql> = {
  // Claim lines as loaded, and the as-of date: the latest received date, or the one asked for
  // (versions received after it are left out, SPEC section 5).
  lines: {
    needs: [],
    sql: (folder, asOf) => `
      CREATE TABLE all_lines AS SELECT claim_id, CAST(line_number AS INT) AS line_number, CAST(frequency_code AS INT) AS freq,
        CAST(received_date AS DATE) AS received, member_id, plan_id, CAST(service_date AS DATE) AS service,
        upper(trim(procedure_code)) AS code, string_split(upper(coalesce(modifiers, '')), ';') AS mods,
        lower(line_status) AS line_status, rendering_npi, diagnosis_codes
      FROM ${csv(folder, "claim_lines.csv")};
      CREATE TABLE as_of AS SELECT ${asOf ? `DATE ${quote(asOf)} AS d` : "max(received) AS d FROM all_lines"};
      CREATE TABLE lines AS SELECT * FROM all_lines WHERE received <= (SELECT d FROM as_of);`,
  },
  // Payers by key (SPEC section 2): a listed payer by its key or name, ignoring case; any other
  // name by its slug.
  plans: {
    needs: [],
    sql: (folder) => `
      CREATE TABLE raw_plans AS SELECT plan_id, trim(payer) AS payer, plan_name, product_line FROM ${csv(folder, "plans.csv")};
      CREATE TABLE payer_names AS
        SELECT * FROM (VALUES ${LISTED_PAYERS.map(([key, name], i) => `(${quote(key)}, ${quote(name)}, ${i})`).join(", ")}) t(key, name, sort_order);
      CREATE TABLE payer_aliases AS SELECT key, lower(key) AS alias FROM payer_names UNION SELECT key, lower(name) FROM payer_names
        ${LISTED_PAYERS.flatMap(([key, , aliases]) => aliases.map((a) => `UNION SELECT ${quote(key)}, ${quote(a)}`)).join(" ")};
      CREATE TABLE plans AS SELECT r.*, coalesce(a.key, trim(BOTH '-' FROM regexp_replace(lower(r.payer), '[^a-z0-9]+', '-', 'g'))) AS payer_key
        FROM raw_plans r LEFT JOIN payer_aliases a ON a.alias = lower(r.payer);
      CREATE TABLE payers AS
        SELECT key, name, sort_order FROM payer_names
        UNION ALL SELECT payer_key, min(payer), 100 FROM plans WHERE payer_key NOT IN (SELECT key FROM payer_names) GROUP BY payer_key
        UNION ALL SELECT '${UNKNOWN_PAYER.key}', '${UNKNOWN_PAYER.name}', 1000;`,
  },
  members: {
    needs: [],
    sql: (folder) => `
      CREATE TABLE members AS SELECT member_id, CAST(birth_date AS DATE) AS birth_date, upper(sex) AS sex FROM ${csv(folder, "members.csv")};`,
  },
  coverage: {
    needs: [],
    sql: (folder) => `
      CREATE TABLE coverage AS SELECT member_id, plan_id, CAST(start_date AS DATE) AS start_date, CAST(end_date AS DATE) AS end_date
      FROM ${csv(folder, "coverage.csv")};`,
  },
  // D1: the latest version of each claim (received date, then 8 over 7 over 1); a void leaves
  // nothing.
  effective: {
    needs: ["lines"],
    sql: () => `
      CREATE TABLE winners AS SELECT claim_id, received, freq FROM (SELECT DISTINCT claim_id, received, freq FROM lines)
        QUALIFY row_number() OVER (PARTITION BY claim_id ORDER BY received DESC, freq DESC) = 1;
      CREATE TABLE eff AS SELECT l.* FROM lines l JOIN winners w USING (claim_id, received, freq) WHERE w.freq <> 8;`,
  },
  // D2: studies, a new one more than 7 days after the current one's start; the components
  // billed; D7 at the study date, else the plan billed on its first line (as the warehouse's
  // dxa_studies, which the data page's findings read).
  studies: {
    needs: ["effective", "coverage", "plans"],
    sql: () => `
      CREATE TABLE dxa_lines AS SELECT member_id, service AS d, claim_id, line_number, plan_id AS billed_plan_id, line_status,
        NOT list_contains(mods, 'TC') AND NOT list_contains(mods, '26') AS is_global,
        list_contains(mods, 'TC') AS is_tc, list_contains(mods, '26') AS is_26
      FROM eff WHERE code IN ${CENTRAL_DXA};
      CREATE TABLE dxa_dates AS SELECT DISTINCT member_id, d FROM dxa_lines;
      CREATE TABLE study_starts AS ${clusterStarts("dxa_dates", 7)};
      CREATE TABLE study_lines AS SELECT l.*, s.start AS study_date FROM dxa_lines l ASOF JOIN study_starts s ON l.member_id = s.member_id AND l.d >= s.start;
      CREATE TABLE raw_studies AS SELECT member_id, study_date, count(*) AS line_count,
        bool_or(is_global) AS has_global, bool_or(is_tc) AS has_tc, bool_or(is_26) AS has_26,
        arg_min(billed_plan_id, (d, claim_id, line_number)) AS billed_plan_id
      FROM study_lines GROUP BY member_id, study_date;
      CREATE TABLE studies AS ${attributed("raw_studies", "member_id || '|' || CAST(x.study_date AS VARCHAR)", "study_date", "x.billed_plan_id")};`,
  },
  // D3: EHR orders (captured by an order line within 14 days), and order lines near no live EHR
  // order clustered at 14 days into orders of their own, named and billed by their first line;
  // D7 at the order date (an EHR order without a span: Unknown payer).
  orders: {
    needs: ["effective", "coverage", "plans"],
    sql: (folder) => `
      CREATE TABLE order_lines AS SELECT member_id, service AS d, claim_id, line_number, plan_id, rendering_npi
        FROM eff WHERE code = '3096F' AND NOT list_contains(mods, '8P');
      CREATE TABLE all_ehr AS SELECT order_id, member_id, CAST(order_date AS DATE) AS order_date, nullif(ordering_npi, '') AS ordering_npi,
        CASE WHEN lower(status) = 'cancelled' THEN 'cancelled' ELSE 'active' END AS status FROM ${csv(folder, "orders.csv")};
      CREATE TABLE ehr AS SELECT * FROM all_ehr WHERE order_date <= (SELECT d FROM as_of);
      CREATE TABLE ehr_orders AS SELECT e.order_id, 'ehr' AS source, e.member_id, e.order_date, e.status, e.ordering_npi,
        e.status <> 'cancelled' AND EXISTS (SELECT 1 FROM order_lines l WHERE l.member_id = e.member_id AND l.d BETWEEN e.order_date - 14 AND e.order_date + 14) AS captured,
        CAST(NULL AS VARCHAR) AS billed_plan_id
      FROM ehr e;
      CREATE TABLE orphan_lines AS SELECT l.* FROM order_lines l WHERE NOT EXISTS (
        SELECT 1 FROM ehr e WHERE e.status <> 'cancelled' AND e.member_id = l.member_id AND e.order_date BETWEEN l.d - 14 AND l.d + 14);
      CREATE TABLE orphan_dates AS SELECT DISTINCT member_id, d FROM orphan_lines;
      CREATE TABLE claim_order_starts AS ${clusterStarts("orphan_dates", 14)};
      CREATE TABLE claim_orders AS SELECT 'claim:' || arg_min(claim_id || '#' || line_number, (d, claim_id, line_number)) AS order_id, 'claim' AS source,
        member_id, start AS order_date, 'active' AS status, arg_min(rendering_npi, (d, claim_id, line_number)) AS ordering_npi, true AS captured,
        arg_min(plan_id, (d, claim_id, line_number)) AS billed_plan_id
      FROM (SELECT l.*, s.start FROM orphan_lines l ASOF JOIN claim_order_starts s ON l.member_id = s.member_id AND l.d >= s.start)
      GROUP BY member_id, start;
      CREATE TABLE raw_orders AS SELECT * FROM ehr_orders UNION ALL SELECT * FROM claim_orders;
      CREATE TABLE orders AS ${attributed("raw_orders", "order_id", "order_date", "x.billed_plan_id")};`,
  },
  // D4–D5: each order's first study on or after its date and days to scan; whether a 3095F
  // line (without 8P) follows that study within 30 days. Completion for a window W is
  // days_to_scan <= W (./duckdb-pages.ts).
  outcomes: {
    needs: ["orders", "studies"],
    sql: () => `
      CREATE TABLE result_dates AS SELECT DISTINCT member_id, service AS d FROM eff WHERE code = '3095F' AND NOT list_contains(mods, '8P');
      CREATE TABLE outcomes AS SELECT o.*, s.study_date, datediff('day', o.order_date, s.study_date) AS days_to_scan,
        s.study_date IS NOT NULL AND EXISTS (SELECT 1 FROM result_dates r WHERE r.member_id = o.member_id AND r.d BETWEEN s.study_date AND s.study_date + 30) AS documented
      FROM orders o ASOF LEFT JOIN (SELECT member_id, study_date FROM studies) s ON o.member_id = s.member_id AND o.order_date <= s.study_date;`,
  },
  // D6: fracture episodes (a qualifying diagnosis at 50 or older, clustered at 180 days), D7 at
  // the episode date else the plan billed on its first line, and whether a live order or a
  // study falls in [episode date, + 180].
  episodes: {
    needs: ["effective", "members", "coverage", "plans", "orders", "studies"],
    sql: () => `
      CREATE TABLE fracture_lines AS SELECT DISTINCT e.member_id, e.service AS d, e.claim_id, e.line_number, e.plan_id
      FROM (SELECT *, unnest(string_split(coalesce(diagnosis_codes, ''), ';')) AS dx FROM eff) e
      JOIN members m ON m.member_id = e.member_id
      WHERE (
          (regexp_matches(upper(replace(trim(e.dx), '.', '')), '^(S720|S721|S722|S220|S320|S525|S526)') AND length(replace(trim(e.dx), '.', '')) = 7
            AND upper(right(replace(trim(e.dx), '.', ''), 1)) IN ('A', 'B', 'C'))
          OR starts_with(upper(replace(trim(e.dx), '.', '')), 'M80'))
        AND year(e.service) - year(m.birth_date) - CASE WHEN strftime(e.service, '%m-%d') < strftime(m.birth_date, '%m-%d') THEN 1 ELSE 0 END >= 50;
      CREATE TABLE fracture_dates AS SELECT DISTINCT member_id, d FROM fracture_lines;
      CREATE TABLE episode_starts AS ${clusterStarts("fracture_dates", 180)};
      CREATE TABLE raw_episodes AS SELECT member_id, start AS episode_date, arg_min(plan_id, (d, claim_id, line_number)) AS billed_plan_id
      FROM (SELECT l.*, s.start FROM fracture_lines l ASOF JOIN episode_starts s ON l.member_id = s.member_id AND l.d >= s.start)
      GROUP BY member_id, start;
      CREATE TABLE episodes AS SELECT a.*,
        EXISTS (SELECT 1 FROM orders o WHERE o.member_id = a.member_id AND o.status <> 'cancelled' AND o.order_date BETWEEN a.episode_date AND a.episode_date + 180)
        OR EXISTS (SELECT 1 FROM studies s WHERE s.member_id = a.member_id AND s.study_date BETWEEN a.episode_date AND a.episode_date + 180) AS followed
      FROM (${attributed("raw_episodes", "member_id || '|' || CAST(x.episode_date AS VARCHAR)", "episode_date", "x.billed_plan_id")}) a;`,
  },
  // Claims lag: original lines (frequency 1) received in the 12 months to the as-of date, days
  // from service to receipt, by the payer of the plan billed and over all payers.
  claims_lag: {
    needs: ["lines", "plans"],
    sql: () => `
      CREATE TABLE claims_lag AS SELECT CASE WHEN GROUPING(p.payer_key) = 1 THEN NULL ELSE p.payer_key END AS payer_key, count(*) AS lines,
        quantile_cont(datediff('day', l.service, l.received), 0.5) AS median_days, quantile_cont(datediff('day', l.service, l.received), 0.9) AS p90_days
      FROM lines l JOIN plans p ON p.plan_id = l.plan_id
      WHERE l.freq = 1 AND l.received > (SELECT d FROM as_of) - 365
      GROUP BY ROLLUP (p.payer_key);`,
  },
};

/** A DuckDB session over one folder of raw files, in memory, with the steps it has run. */
export class RawFiles {
  private readonly done = new Set<RawStep>();
  // One statement at a time on the connection: a page's reads may be asked for together.
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly db: DuckDBConnection,
    readonly folder: string,
    readonly requestedAsOf: string | null,
  ) {}

  /** `asOf`: an earlier as-of date to see the figures as they stood then (null: the data's). */
  static async open(folder: string, asOf: string | null = null): Promise<RawFiles> {
    const instance = await DuckDBInstance.create(":memory:");
    const db = await instance.connect();
    await db.run(`
      CREATE MACRO wilson_low(x, n) AS CASE WHEN n > 0 THEN ((x / n) + 1.959964 ^ 2 / (2 * n) - 1.959964 * sqrt((x / n) * (1 - x / n) / n + 1.959964 ^ 2 / (4 * n * n))) / (1 + 1.959964 ^ 2 / n) END;
      CREATE MACRO wilson_high(x, n) AS CASE WHEN n > 0 THEN ((x / n) + 1.959964 ^ 2 / (2 * n) + 1.959964 * sqrt((x / n) * (1 - x / n) / n + 1.959964 ^ 2 / (4 * n * n))) / (1 + 1.959964 ^ 2 / n) END;`);
    return new RawFiles(instance, db, folder, asOf);
  }

  /** Runs the steps (and the steps they read) not yet run. */
  derive(...steps: RawStep[]): Promise<void> {
    return this.serial(() => this.deriveNow(steps));
  }

  private async deriveNow(steps: readonly RawStep[]): Promise<void> {
    for (const step of steps) {
      if (this.done.has(step)) continue;
      await this.deriveNow(STEPS[step].needs);
      await this.db.run(STEPS[step].sql(this.folder, this.requestedAsOf));
      this.done.add(step);
    }
  }

  private serial<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.then(work, work);
    this.queue = next.catch(() => undefined);
    return next;
  }

  async run(sql: string): Promise<void> {
    await this.serial(() => this.db.run(sql));
  }

  /** Rows as plain values: integers as numbers, dates and text as strings. */
  async query<T extends Record<string, unknown>>(sql: string): Promise<T[]> {
    const reader = await this.serial(() => this.db.runAndReadAll(sql));
    return reader.getRowObjects().map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, plain(v)]))) as T[];
  }

  async asOf(): Promise<string> {
    await this.derive("lines");
    const [row] = await this.query<{ d: string }>(`SELECT CAST(d AS VARCHAR) AS d FROM as_of`);
    if (!row?.d) throw new Error(`no claim lines in ${this.folder}`);
    return row.d;
  }

  /** The latest received date of claim_lines.csv, read from the file without loading it. */
  async latestReceived(): Promise<string> {
    const [row] = await this.query<{ d: string | null }>(`SELECT CAST(max(CAST(received_date AS DATE)) AS VARCHAR) AS d FROM read_csv(${quote(path.join(this.folder, "claim_lines.csv"))}, header = true, all_varchar = true)`);
    if (!row?.d) throw new Error(`no claim lines in ${this.folder}`);
    return row.d;
  }

  close(): void {
    this.db.closeSync();
    this.instance.closeSync();
  }
}

function plain(value: unknown): unknown {
  if (typeof value === "bigint") return Number(value);
  if (value === null || typeof value !== "object") return value;
  return String(value);
}
