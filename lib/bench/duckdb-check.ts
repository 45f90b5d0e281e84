import type { Database } from "@/db/client";
import { defaultPeriod } from "../filters";
import { computeMeasure, getClaimsLag, loadMeasureScope, resolveSnapshot, type MeasureKey as WarehouseMeasureKey, type MeasureRow as WarehouseRow } from "../measures";
import { countOrders, countOrdersByPayer } from "../orders";
import { countFindings } from "../reconciliation";
import { countHoldings } from "../warehouse/stored-counts";
import { DUCKDB_MEASURES, type Counts, type MeasureRow, type PageFigures, type PageKey } from "./duckdb-pages";
import { BENCHMARK_VIEWER } from "./viewer";

// Each page's headline figures from DuckDB's scripts against the warehouse's for the same
// as-of date and period: what makes the timing a comparison of the same work. A page's line
// says which counts it compared and, for any that differ, both values.

export type PageCheck = { page: PageKey; same: boolean; compared: string; differences: string[] };

type Figures = Partial<{ [K in PageKey]: PageFigures[K] }>;

export async function checkDuckdbAgainstWarehouse(db: Database, figures: Figures): Promise<PageCheck[]> {
  const asOf = await resolveSnapshot(db);
  if (!asOf) throw new Error("the warehouse has no snapshot to compare DuckDB's figures with");
  const { from, to } = defaultPeriod(asOf);
  const scope = await loadMeasureScope(db, BENCHMARK_VIEWER, asOf);
  const lags = await getClaimsLag(db, asOf);
  const measure = (key: WarehouseMeasureKey, groupBy: "payer" | "plan" | "month", payers?: string[]) =>
    computeMeasure({ ...scope, results: new Map() }, { measure: key, from, to, window: 90, asOf, groupBy, ...(payers ? { payers } : {}) });
  const checks: PageCheck[] = [];
  const check = (page: PageKey, compared: string, pairs: [name: string, duck: unknown, warehouse: unknown][]) => {
    const differences = pairs.filter(([, a, b]) => JSON.stringify(a) !== JSON.stringify(b)).map(([name, a, b]) => `${name}: DuckDB ${JSON.stringify(a)}, warehouse ${JSON.stringify(b)}`);
    checks.push({ page, same: differences.length === 0, compared, differences });
  };
  const period = (p: { from: string; to: string; asOf: string }): [string, unknown, unknown] => ["period and as-of date", [p.from, p.to, p.asOf], [from, to, asOf]];

  if (figures.overview) {
    const o = figures.overview;
    const totals = await Promise.all(DUCKDB_MEASURES.map((key) => measure(key, "payer")));
    const byMonth = await measure("order_follow_up", "month");
    check("overview", "the five measures' totals (denominator, numerator, pending), the follow-up rate by payer and by month", [
      period(o.period),
      ...DUCKDB_MEASURES.map((key, i): [string, unknown, unknown] => [key, counts(o.headlines[key]), counts(totals[i]!.total)]),
      ["order_follow_up by payer", byGroup(o.byPayer), byGroup(totals[0]!.rows.map((r) => ({ ...r, group: r.payerKey })))],
      ["order_follow_up by month", byGroup(o.trend.all), byGroup(byMonth.rows.map((r) => ({ ...r, group: r.month })))],
    ]);
  }
  if (figures.payer) {
    const p = figures.payer;
    const plans = await Promise.all(DUCKDB_MEASURES.map((key) => measure(key, "plan", [p.payerKey])));
    const lag = lags.byPayer.get(p.payerKey);
    const duckLag = p.claimsLag;
    check("payer", `every measure by plan of ${p.payerKey}, its claims lag`, [
      period(p.period),
      ["claims lag (lines, median, 90th percentile)", duckLag && [duckLag.lines, round(duckLag.median_days), round(duckLag.p90_days)], lag ? [lag.lines, round(lag.medianDays), round(lag.p90Days)] : null],
      ...DUCKDB_MEASURES.map((key, i): [string, unknown, unknown] => [`${key} by plan`, byGroup(p.byPlan[key]), byGroup(plans[i]!.rows.map((r) => ({ ...r, group: r.planId })))]),
    ]);
  }
  if (figures.fractures) {
    const f = figures.fractures;
    const ours = await measure("post_fracture", "payer");
    const [open] = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM fracture_episodes WHERE as_of = $1::date AND payer_key IS NOT NULL AND episode_date BETWEEN $2::date AND $3::date AND follow_up_date IS NULL`,
      [asOf, from, to],
    );
    check("fractures", "post_fracture total and by payer, open episodes of the period", [
      period(f.period),
      ["post_fracture", counts(f.total), counts(ours.total)],
      ["post_fracture by payer", byGroup(f.byPayer), byGroup(ours.rows.map((r) => ({ ...r, group: r.payerKey })))],
      ["open episodes", f.openEpisodes, open?.n ?? 0],
    ]);
  }
  if (figures.worklist) {
    const w = figures.worklist;
    const n = await countOrders(db, BENCHMARK_VIEWER, { asOf, from, to, window: 90, statuses: ["overdue", "in_window"] });
    check("worklist", "overdue and in-window orders of the period", [period(w.period), ["open orders", w.openOrders, n]]);
  }
  if (figures.data) {
    const d = figures.data;
    const [holdings, findings, orders] = await Promise.all([
      countHoldings(db, null),
      countFindings(db, BENCHMARK_VIEWER, { asOf, from, to }),
      countOrdersByPayer(db, BENCHMARK_VIEWER, { asOf, from, to, window: 90, statuses: ["completed", "overdue", "in_window"] }),
    ]);
    const payers = d.payers;
    check("data", "members, plans, EHR orders, claim lines; by payer members ever covered, orders of the period, claim lines of 12 months; findings of each kind", [
      period(d.period),
      ["holdings", [d.holdings.members, d.holdings.plans, d.holdings.ehr_orders, d.holdings.claim_lines], [holdings.members, holdings.plans, holdings.ehrOrders, holdings.claimLines]],
      [
        "members ever covered by payer",
        Object.fromEntries(payers.filter((p) => p.members > 0).map((p) => [p.key, p.members])),
        Object.fromEntries(holdings.payers.filter((p) => p.members > 0).map((p) => [p.payerKey, p.members])),
      ],
      ["orders of the period by payer", sorted(Object.fromEntries(payers.filter((p) => p.orders > 0).map((p) => [p.key, p.orders]))), sorted(Object.fromEntries([...orders].filter(([, n]) => n > 0)))],
      [
        "claim lines of 12 months by payer",
        sorted(Object.fromEntries(payers.filter((p) => p.claim_lines_12_months).map((p) => [p.key, p.claim_lines_12_months]))),
        sorted(Object.fromEntries([...lags.byPayer].map(([key, l]) => [key, l.lines]))),
      ],
      ["findings", sorted(d.findings), sorted(Object.fromEntries(Object.entries(findings).filter(([, n]) => n > 0)))],
    ]);
  }
  if (figures.reports) check("reports", "the period and as-of date", [period(figures.reports.period)]);
  return checks;
}

/** Days to two places: DuckDB's and PostgreSQL's interpolated percentiles may differ in the last bits. */
const round = (days: number) => Math.round(days * 100) / 100;
const counts = ({ denominator, numerator, pending }: Counts): Counts => ({ denominator, numerator, pending });
const sorted = <T>(record: Record<string, T>): Record<string, T> => Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : 1)));

/** Rows by group, those with any count only (the warehouse lists every payer or plan). */
function byGroup(rows: readonly ((MeasureRow | WarehouseRow) & { group: string | null })[]): Record<string, Counts> {
  return sorted(Object.fromEntries(rows.filter((r) => r.denominator + r.numerator + r.pending > 0).map((r) => [r.group ?? "?", counts(r)])));
}
