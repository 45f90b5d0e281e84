import { defaultPeriod } from "../filters";
import { previousPeriod } from "../periods";
import { OTHER_BONE_DENSITY, RawFiles } from "./duckdb-raw";

// Each dashboard page's own figures (SPEC section 6, all payers, the default 12 months, window
// 90) computed by DuckDB from the raw CSV files, one script per page over the shared D1–D7 steps
// of ./duckdb-raw.ts. What a page shows that a script does not compute is said at the script.
// CMS249 (section 5b) reads FHIR resources, which CSV files do not carry: no script computes it
// (the pages show it "not available" for CSV-only data too).

export type PageKey = "overview" | "payer" | "fractures" | "worklist" | "data" | "reports";
export const DUCKDB_PAGES: readonly PageKey[] = ["overview", "payer", "fractures", "worklist", "data", "reports"];

export type Counts = { denominator: number; numerator: number; pending: number };
export type MeasureRow = Counts & { group: string | null; rate: number | null; ciLow: number | null; ciHigh: number | null };
export type MeasureKey = "order_follow_up" | "result_documented" | "order_capture" | "screening_ordering" | "post_fracture";
export const DUCKDB_MEASURES: readonly MeasureKey[] = ["order_follow_up", "result_documented", "order_capture", "screening_ordering", "post_fracture"];

export type ClaimsLag = { lines: number; median_days: number; p90_days: number };
export type PayerHoldings = { key: string; name: string; plans: number; members: number; orders: number; claim_lines_12_months: number | null; median_days: number | null; p90_days: number | null };

export type PageParams = { window: number; asOf: string | null; from?: string; to?: string; payerKey?: string };
type Period = { from: string; to: string; asOf: string; window: number };

const date = (d: string) => `DATE '${d}'`;
const text = (s: string) => `'${s.replaceAll("'", "''")}'`;

/**
 * The items of an order- or episode-anchored measure (SPEC section 5) for window W: one row per
 * order or episode with its anchor date, attribution and whether it is in the denominator, the
 * numerator, or pending.
 */
function measureItems(key: Exclude<MeasureKey, "screening_ordering">, w: number): string {
  const asOf = "(SELECT d FROM as_of)";
  const select = (anchor: string, den: string, num: string, pend: string) =>
    `SELECT '${key}' AS measure, ${anchor} AS anchor, payer_key, plan_id, ${den} AS den, ${den} AND ${num} AS num, ${pend} AS pend`;
  const mature = `order_date + ${w} <= ${asOf}`;
  switch (key) {
    case "order_follow_up":
      return `${select("order_date", mature, `days_to_scan <= ${w}`, `NOT (${mature})`)} FROM outcomes WHERE status <> 'cancelled'`;
    case "result_documented":
      // Its denominator is the follow-up's numerator: a payer without one has no row.
      return `${select("order_date", "true", "documented", "false")} FROM outcomes WHERE status <> 'cancelled' AND ${mature} AND days_to_scan <= ${w}`;
    case "order_capture":
      return `${select("order_date", `order_date + 14 <= ${asOf}`, "captured", `order_date + 14 > ${asOf}`)} FROM outcomes WHERE status <> 'cancelled' AND source = 'ehr'`;
    case "post_fracture":
      return `${select("episode_date", `episode_date + 180 <= ${asOf}`, "followed", `episode_date + 180 > ${asOf}`)} FROM episodes`;
  }
}

/** screening_ordering over [from, to]: women 65–85 on the period end with coverage active
 *  then (D7 at the period end), no study in the 730 days before the period, a live order in it. */
function screeningItems(from: string, to: string): string {
  const end = date(to);
  return `
    WITH women AS (
      SELECT member_id, ${end} AS anchor FROM members
      WHERE sex = 'F' AND year(${end}) - year(birth_date) - CASE WHEN strftime(${end}, '%m-%d') < strftime(birth_date, '%m-%d') THEN 1 ELSE 0 END BETWEEN 65 AND 85
    ),
    covered AS (
      SELECT w.member_id, c.plan_id FROM women w JOIN coverage c ON c.member_id = w.member_id AND c.start_date <= w.anchor AND (c.end_date IS NULL OR c.end_date >= w.anchor)
      QUALIFY row_number() OVER (PARTITION BY w.member_id ORDER BY c.start_date DESC, c.plan_id) = 1
    )
    SELECT 'screening_ordering' AS measure, ${end} AS anchor, p.payer_key, c.plan_id, true AS den,
      EXISTS (SELECT 1 FROM orders o WHERE o.member_id = c.member_id AND o.status <> 'cancelled' AND o.order_date BETWEEN ${date(from)} AND ${end}) AS num, false AS pend
    FROM covered c JOIN plans p ON p.plan_id = c.plan_id
    WHERE NOT EXISTS (SELECT 1 FROM studies s WHERE s.member_id = c.member_id AND s.study_date BETWEEN ${date(from)} - 730 AND ${date(from)} - 1)`;
}

/** The steps a measure reads. */
const MEASURE_STEPS = {
  order_follow_up: ["outcomes"],
  result_documented: ["outcomes"],
  order_capture: ["outcomes"],
  post_fracture: ["episodes"],
  screening_ordering: ["members", "orders", "studies"],
} as const;

/**
 * A measure over [from, to], grouped by `groupBy` (a SQL expression over the items' columns
 * anchor, payer_key, plan_id; null: the total only), each row with its rate and 95% Wilson
 * interval. `where` restricts the items (e.g. one payer).
 */
async function measure(raw: RawFiles, key: MeasureKey, p: { from: string; to: string; window: number }, groupBy: string | null, where = "true"): Promise<MeasureRow[]> {
  await raw.derive(...MEASURE_STEPS[key]);
  const items = key === "screening_ordering" ? screeningItems(p.from, p.to) : measureItems(key, p.window);
  const group = groupBy ?? "NULL";
  return raw.query<MeasureRow>(`
    SELECT CAST(${group} AS VARCHAR) AS "group", count(*) FILTER (WHERE den) AS denominator, count(*) FILTER (WHERE num) AS numerator,
      count(*) FILTER (WHERE pend) AS pending,
      CASE WHEN count(*) FILTER (WHERE den) > 0 THEN count(*) FILTER (WHERE num) / count(*) FILTER (WHERE den) END AS rate,
      wilson_low(count(*) FILTER (WHERE num), count(*) FILTER (WHERE den)) AS "ciLow",
      wilson_high(count(*) FILTER (WHERE num), count(*) FILTER (WHERE den)) AS "ciHigh"
    FROM (${items}) i
    WHERE measure = '${key}' AND anchor BETWEEN ${date(p.from)} AND ${date(p.to)} AND ${where}
    GROUP BY ${group} ORDER BY 1`);
}

/** A measure's total over [from, to]. */
async function total(raw: RawFiles, key: MeasureKey, p: { from: string; to: string; window: number }, where = "true"): Promise<MeasureRow> {
  const [row] = await measure(raw, key, p, null, where);
  return row ?? { group: null, denominator: 0, numerator: 0, pending: 0, rate: null, ciLow: null, ciHigh: null };
}

async function period(raw: RawFiles, params: PageParams): Promise<Period> {
  const asOf = await raw.asOf();
  const d = defaultPeriod(asOf);
  return { from: params.from ?? d.from, to: params.to ?? d.to, asOf, window: params.window };
}

/** One measure's total over a period. */
export const measureTotal = total;

/** Every measure's total over a period (the overview's headlines; screening included). */
export async function measureTotals(raw: RawFiles, p: { from: string; to: string; window: number }): Promise<Record<MeasureKey, MeasureRow>> {
  const rows = await Promise.all(DUCKDB_MEASURES.map((key) => total(raw, key, p)));
  return Object.fromEntries(DUCKDB_MEASURES.map((key, i) => [key, rows[i]!])) as Record<MeasureKey, MeasureRow>;
}

/** Every measure by payer display name, `All` included (the shape of the public deck's
 *  expected figures); a payer with no item in a measure has no row. */
export async function measuresByPayer(raw: RawFiles, p: { from: string; to: string; window: number }): Promise<Record<MeasureKey, Record<string, Counts>>> {
  await raw.derive("plans");
  const out = {} as Record<MeasureKey, Record<string, Counts>>;
  for (const key of DUCKDB_MEASURES) {
    const [byPayer, all] = await Promise.all([measure(raw, key, p, "(SELECT name FROM payers WHERE payers.key = i.payer_key)"), total(raw, key, p)]);
    out[key] = Object.fromEntries([...byPayer.map((r) => [r.group!, counts(r)] as const), ["All", counts(all)] as const]);
  }
  return out;
}

const counts = ({ denominator, numerator, pending }: Counts): Counts => ({ denominator, numerator, pending });

// ---- The pages ------------------------------------------------------------------------------

/** `/`: every measure's headline (period and the one before), the funnel, the follow-up rate by
 *  payer, its monthly trend per payer and over all payers (provisional months from the claims
 *  lag), days to scan (bins, median, 90th percentile) and the open orders by age. */
async function overview(raw: RawFiles, params: PageParams) {
  const p = await period(raw, params);
  const before = previousPeriod(p.from, p.to);
  await raw.derive("outcomes", "episodes", "claims_lag");
  const [headlines, previous, byPayer, trend, lag] = await Promise.all([
    measureTotals(raw, p),
    measureTotals(raw, { ...before, window: p.window }),
    measure(raw, "order_follow_up", p, "payer_key"),
    measure(raw, "order_follow_up", p, "strftime(anchor, '%Y-%m') || ' ' || payer_key"),
    raw.query<{ payer_key: string | null; p90_days: number }>(`SELECT payer_key, p90_days FROM claims_lag`),
  ]);
  const trendAll = await measure(raw, "order_follow_up", p, "strftime(anchor, '%Y-%m')");
  const live = `status <> 'cancelled' AND order_date BETWEEN ${date(p.from)} AND ${date(p.to)}`;
  const [scan] = await raw.query<Record<string, number | null>>(`
    SELECT ${[7, 14, 30, 60, 90, 180]
      .filter((e) => e <= p.window)
      .map((edge, i, edges) => `count(*) FILTER (WHERE days_to_scan BETWEEN ${i === 0 ? 0 : edges[i - 1]! + 1} AND ${edge}) AS "bin_${edge}"`)
      .join(", ")},
      count(*) AS completed, quantile_cont(days_to_scan, 0.5) AS median, quantile_cont(days_to_scan, 0.9) AS p90
    FROM outcomes WHERE ${live} AND order_date + ${p.window} <= (SELECT d FROM as_of) AND days_to_scan <= ${p.window}`);
  const [open] = await raw.query<Record<string, number>>(`
    SELECT count(*) FILTER (WHERE order_date + ${p.window} <= (SELECT d FROM as_of)) AS overdue, count(*) FILTER (WHERE order_date + ${p.window} > (SELECT d FROM as_of)) AS in_window,
      count(*) FILTER (WHERE age <= 30) AS "0-30", count(*) FILTER (WHERE age BETWEEN 31 AND 60) AS "31-60", count(*) FILTER (WHERE age BETWEEN 61 AND 90) AS "61-90",
      count(*) FILTER (WHERE age BETWEEN 91 AND 180) AS "91-180", count(*) FILTER (WHERE age > 180) AS over_180
    FROM (SELECT *, datediff('day', order_date, (SELECT d FROM as_of)) AS age FROM outcomes WHERE ${live} AND coalesce(days_to_scan > ${p.window}, true))`);
  const followUp = headlines.order_follow_up;
  return {
    period: p,
    headlines,
    previous,
    funnel: { ordersMature: followUp.denominator, scanned: followUp.numerator, documented: headlines.result_documented.numerator, pending: followUp.pending },
    byPayer,
    trend: { all: trendAll, byPayer: trend, claimsLag: lag },
    scanTiming: scan,
    openOrders: open,
  };
}

/** `/payers/[payer]`: the payer's plans on every measure, its follow-up trend against all
 *  payers', its claims lag and the denial share of its central DXA lines. */
async function payer(raw: RawFiles, params: PageParams) {
  const p = await period(raw, params);
  const key = params.payerKey ?? "aetna";
  const mine = `payer_key = ${text(key)}`;
  await raw.derive("outcomes", "episodes", "claims_lag");
  const byPlan = Object.fromEntries(await Promise.all(DUCKDB_MEASURES.map(async (m) => [m, await measure(raw, m, p, "plan_id", mine)] as const))) as Record<MeasureKey, MeasureRow[]>;
  const [trend, benchmark, lag, denial] = await Promise.all([
    measure(raw, "order_follow_up", p, "strftime(anchor, '%Y-%m')", mine),
    measure(raw, "order_follow_up", p, "strftime(anchor, '%Y-%m')"),
    raw.query<ClaimsLag>(`SELECT lines, median_days, p90_days FROM claims_lag WHERE ${mine}`),
    raw.query<{ lines: number; denied: number }>(`
      SELECT count(*) AS lines, count(*) FILTER (WHERE l.line_status = 'denied') AS denied
      FROM dxa_lines l JOIN plans pl ON pl.plan_id = l.billed_plan_id
      WHERE pl.${mine} AND l.d BETWEEN ${date(p.from)} AND ${date(p.to)}`),
  ]);
  return { period: p, payerKey: key, byPlan, trend: { payer: trend, benchmark }, claimsLag: lag[0] ?? null, denial: denial[0]! };
}

/** `/fractures`: post-fracture follow-up by payer and by plan, and the first 200 open
 *  episodes of the period, oldest first. */
async function fractures(raw: RawFiles, params: PageParams) {
  const p = await period(raw, params);
  await raw.derive("episodes");
  const [byPayer, byPlan, all] = await Promise.all([measure(raw, "post_fracture", p, "payer_key"), measure(raw, "post_fracture", p, "plan_id"), total(raw, "post_fracture", p)]);
  const open = await raw.query<{ member_id: string; episode_date: string; days_since: number; payer: string; plan: string | null; state: string; n: number }>(`
    SELECT e.member_id, CAST(e.episode_date AS VARCHAR) AS episode_date, datediff('day', e.episode_date, (SELECT d FROM as_of)) AS days_since,
      py.name AS payer, pl.plan_name AS plan, CASE WHEN e.episode_date + 180 <= (SELECT d FROM as_of) THEN 'missed' ELSE 'open' END AS state,
      count(*) OVER () AS n
    FROM episodes e JOIN payers py ON py.key = e.payer_key LEFT JOIN plans pl ON pl.plan_id = e.plan_id
    WHERE e.episode_date BETWEEN ${date(p.from)} AND ${date(p.to)} AND NOT e.followed
    ORDER BY e.episode_date, e.member_id LIMIT 200`);
  return { period: p, total: all, byPayer, byPlan, openEpisodes: open.length ? open[0]!.n : 0, firstOpenEpisodes: open };
}

/** `/orders`: the overdue and in-window orders of the period, how many, and the first page of
 *  50 by days open (longest first). */
async function worklist(raw: RawFiles, params: PageParams) {
  const p = await period(raw, params);
  await raw.derive("outcomes");
  const rows = await raw.query<{ order_id: string; n: number }>(`
    SELECT o.order_id, o.member_id, CAST(o.order_date AS VARCHAR) AS order_date, datediff('day', o.order_date, (SELECT d FROM as_of)) AS days_open,
      py.name AS payer, pl.plan_name AS plan, o.ordering_npi, o.captured,
      CASE WHEN o.order_date + ${p.window} <= (SELECT d FROM as_of) THEN 'overdue' ELSE 'in_window' END AS status, count(*) OVER () AS n
    FROM outcomes o JOIN payers py ON py.key = o.payer_key LEFT JOIN plans pl ON pl.plan_id = o.plan_id
    WHERE o.status <> 'cancelled' AND o.order_date BETWEEN ${date(p.from)} AND ${date(p.to)} AND coalesce(o.days_to_scan > ${p.window}, true)
    ORDER BY o.order_date, o.order_id LIMIT 50`);
  return { period: p, openOrders: rows.length ? rows[0]!.n : 0, firstPage: rows };
}

/** `/data`: what the files hold, each payer's plans, members ever covered, orders of the
 *  period, claim lines and claims lag of 12 months, and the reconciliation findings of the
 *  period (counts and the first 10 of each kind). Not the import history: DuckDB reads files,
 *  it has no import log. */
async function data(raw: RawFiles, params: PageParams) {
  const p = await period(raw, params);
  await raw.derive("outcomes", "members", "claims_lag");
  const inPeriod = (column: string) => `${column} BETWEEN ${date(p.from)} AND ${date(p.to)}`;
  const [holdings] = await raw.query<{ members: number; plans: number; ehr_orders: number; claim_lines: number }>(`
    SELECT (SELECT count(*) FROM members) AS members, (SELECT count(*) FROM plans) AS plans,
      (SELECT count(*) FROM all_ehr) AS ehr_orders, (SELECT count(*) FROM all_lines) AS claim_lines`);
  const payers = await raw.query<PayerHoldings>(`
    SELECT py.key, py.name, (SELECT count(*) FROM plans pl WHERE pl.payer_key = py.key) AS plans,
      (SELECT count(DISTINCT c.member_id) FROM coverage c JOIN plans pl ON pl.plan_id = c.plan_id WHERE pl.payer_key = py.key) AS members,
      (SELECT count(*) FROM orders o WHERE o.payer_key = py.key AND o.status <> 'cancelled' AND ${inPeriod("o.order_date")}) AS orders,
      l.lines AS claim_lines_12_months, l.median_days, l.p90_days
    FROM payers py LEFT JOIN claims_lag l ON l.payer_key = py.key ORDER BY py.sort_order, py.name`);
  const findings = `
    SELECT 'study_without_order' AS finding, 0 AS rank, s.member_id, s.study_date AS d, s.payer_key, NULL AS detail FROM studies s
    WHERE ${inPeriod("s.study_date")} AND NOT EXISTS (
      SELECT 1 FROM orders o WHERE o.member_id = s.member_id AND o.status <> 'cancelled' AND o.order_date BETWEEN s.study_date - 120 AND s.study_date)
    UNION ALL
    SELECT 'order_not_captured', 1, o.member_id, o.order_date, o.payer_key, o.order_id FROM orders o
    WHERE ${inPeriod("o.order_date")} AND o.source = 'ehr' AND o.status <> 'cancelled' AND NOT o.captured AND o.order_date + 14 <= (SELECT d FROM as_of)
    UNION ALL
    SELECT 'incomplete_split_bill', 2, s.member_id, s.study_date, s.payer_key, CASE WHEN s.has_tc THEN 'TC' ELSE '26' END FROM studies s
    WHERE ${inPeriod("s.study_date")} AND NOT s.has_global AND s.has_tc <> s.has_26
    UNION ALL
    SELECT 'other_bone_density_code', 3, e.member_id, e.service, pl.payer_key, e.code FROM eff e JOIN plans pl ON pl.plan_id = e.plan_id
    WHERE e.code IN ${OTHER_BONE_DENSITY} AND ${inPeriod("e.service")}`;
  await raw.run(`CREATE OR REPLACE TABLE findings AS ${findings}`);
  const [byKind, examples] = await Promise.all([
    raw.query<{ finding: string; n: number }>(`SELECT finding, count(*) AS n FROM findings GROUP BY finding ORDER BY finding`),
    raw.query(`SELECT finding, member_id, CAST(d AS VARCHAR) AS date, payer_key, detail FROM findings QUALIFY row_number() OVER (PARTITION BY rank ORDER BY d, member_id, detail) <= 10 ORDER BY rank, d, member_id`),
  ]);
  return { period: p, holdings: holdings!, payers, findings: Object.fromEntries(byKind.map((r) => [r.finding, r.n])) as Record<string, number>, examples };
}

/** `/reports`: the page is the catalog of CSV links; the figures it shows are the period and
 *  the as-of date of the data, which is what this script computes, as an analyst would: the
 *  latest received date read straight from claim_lines.csv (the reports themselves are the
 *  other pages' figures). */
async function reports(raw: RawFiles, params: PageParams) {
  const asOf = params.asOf ?? (await raw.latestReceived());
  const d = defaultPeriod(asOf);
  return { period: { from: params.from ?? d.from, to: params.to ?? d.to, asOf, window: params.window } };
}

const SCRIPTS = { overview, payer, fractures, worklist, data, reports } satisfies Record<PageKey, (raw: RawFiles, params: PageParams) => Promise<unknown>>;

export type PageFigures = { [K in PageKey]: Awaited<ReturnType<(typeof SCRIPTS)[K]>> };

/** One page's DuckDB script from a fresh in-memory database: the files read, the facts it
 *  needs derived, its figures computed; seconds from start to finish. */
export async function runDuckdbPage<K extends PageKey>(page: K, folder: string, params: PageParams): Promise<{ figures: PageFigures[K]; seconds: number }> {
  const started = performance.now();
  const raw = await RawFiles.open(folder, params.asOf);
  try {
    const figures = (await SCRIPTS[page](raw, params)) as PageFigures[K];
    return { figures, seconds: (performance.now() - started) / 1000 };
  } finally {
    raw.close();
  }
}

