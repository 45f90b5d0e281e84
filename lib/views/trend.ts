import { toMeasureQuery, type Filters } from "../filters";
import { getBenchmark, getMonthlyByPayer, type MeasureKey, type ReportableResult, type ReportableRow } from "../measures";
import { UNKNOWN_PAYER_KEY } from "../measures/dimensions";
import type { ViewContext } from "./context";

// What a chart of rates by month draws, decided once for the pages and the CSV of the same
// chart: which payers have a line, which months are plotted, the all-payer reference.

/** The rate a trend chart plots for a month: none while more of its units are still pending
 *  (window open) than counted — such an early sample is small and unrepresentative. Tables
 *  show every month's rate. */
export function plottedRate(row: ReportableRow): number | null {
  return row.pending !== null && row.denominator !== null && row.pending > row.denominator ? null : row.rate;
}

/** One month of one line, ready to draw: the rate (null = no point), its 95% interval and
 *  whether it is low volume (drawn hollow). */
export type TrendPoint = { rate: number | null; ciLow: number | null; ciHigh: number | null; lowVolume: boolean };

export function trendPoint(row: ReportableRow): TrendPoint {
  const rate = plottedRate(row);
  return {
    rate,
    ciLow: rate === null ? null : row.ciLow,
    ciHigh: rate === null ? null : row.ciHigh,
    lowVolume: row.flags.includes("low_volume"),
  };
}

/** Whether any line has a point to draw. A chart with none is "Data not available", even when
 *  its table lists months (pending, hidden or empty ones). */
export function hasPlottedPoint(lines: readonly (readonly TrendPoint[])[]): boolean {
  return lines.some((points) => points.some((p) => p.rate !== null));
}

/** The months of a monthly result marked provisional (claims still arriving). */
export function provisionalMonths(rows: readonly ReportableRow[]): string[] {
  return rows.filter((r) => r.month !== null && r.flags.includes("provisional")).map((r) => r.month!);
}

/** The payers a trend may draw a line for: the filter's payers, else every payer the viewer
 *  sees (Unknown payer included: `withData` drops the lines with nothing in them). */
export function trendPayerCandidates(ctx: ViewContext): { key: string; name: string }[] {
  const { filters, dims } = ctx;
  return dims.payers.filter((p) => (filters.payers.length ? filters.payers.includes(p.key) : true)).map((p) => ({ key: p.key, name: p.name }));
}

/** A payer's line is drawn when it has something in the period (a unit counted or pending);
 *  the five listed payers always, so that "Data not available" shows for an empty one in the
 *  table; Unknown payer and other payers only when not empty (SPEC section 2). */
export function keepTrendLine(payerKey: string, listed: boolean, result: ReportableResult): boolean {
  if (listed && payerKey !== UNKNOWN_PAYER_KEY) return true;
  const t = result.total;
  const counted = (v: number | null, visibility: string) => visibility !== "shown" || (v ?? 0) > 0;
  return counted(t.denominator, t.visibility.denominator) || counted(t.pending, t.visibility.pending);
}

export type PayerLine = { payerKey: string; payerName: string; result: ReportableResult };

/** The measure by month for each payer in view that has a line (see `keepTrendLine`). */
export async function getPayerLines(ctx: ViewContext, overrides: Partial<Filters> = {}): Promise<PayerLine[]> {
  const candidates = trendPayerCandidates(ctx);
  const filters = { ...ctx.filters, ...overrides };
  const query = toMeasureQuery(filters, ctx.asOf, { groupBy: "month" });
  const results = await getMonthlyByPayer(
    ctx,
    query,
    candidates.map((p) => p.key),
    { suppress: ctx.suppress },
  );
  const listed = new Map(ctx.dims.payers.map((p) => [p.key, p.listed]));
  return candidates
    .map((p) => ({ payerKey: p.key, payerName: p.name, result: results.get(p.key)! }))
    .filter((line) => line.result && keepTrendLine(line.payerKey, listed.get(line.payerKey) ?? false, line.result));
}

/** The all-payer rate a payer's or a plan's figure is read against (SPEC section 10's
 *  benchmark): every payer and plan, whatever payer or plan the filters name. Null when it is
 *  withheld from this viewer or there is nothing to count. */
export async function getAllPayerRate(ctx: ViewContext, measure: MeasureKey): Promise<ReportableRow | null> {
  const benchmark = await getBenchmark(ctx, toMeasureQuery(ctx.filters, ctx.asOf, { measure, groupBy: "payer" }), { suppress: ctx.suppress });
  return benchmark.available ? benchmark.result.total : null;
}

/** The name of the all-payer reference: all payers, of the product lines filtered on (the
 *  benchmark keeps that filter; it drops payer and plan). */
export function allPayersLabel(filters: Pick<Filters, "productLines">, productLineNames: Record<string, string>): string {
  if (filters.productLines.length === 0) return "All payers";
  return `All payers (${filters.productLines.map((l) => productLineNames[l] ?? l).join(", ")})`;
}
