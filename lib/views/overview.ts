import { toMeasureQuery } from "../filters";
import {
  AGING_BUCKETS,
  getBenchmark,
  daysToScanDistributionFrom,
  daysToScanFrom,
  getScanHistogram,
  getMeasure,
  getMonthlyByPayer,
  getOpenOrderAging,
  MEASURE_KEYS,
  type AgingBucket,
  type Benchmark,
  type MeasureKey,
  type ReportableResult,
  type ReportableRow,
} from "../measures";
import { getCms249StatusOnce } from "../measures/cms249";
import { previousPeriod } from "../periods";
import { isSmallCount, showCount, showCounts, type ShownCount } from "../stats/suppression";
import type { ViewContext } from "./context";

// What the overview (SPEC section 6) reads, ready to draw: every count already suppressed as
// the viewer and the request require, so the page formats and never decides what to hide.

export type Headline = {
  measure: MeasureKey;
  current: ReportableRow;
  previous: ReportableRow;
  change: number | null;
  /** CMS249 only: no FHIR data are loaded, so it cannot be computed (said so, not 0%). */
  noFhirData?: boolean;
};

/** The period a headline's change is read against (lib/periods.ts). */
export { previousPeriod };

/** Headline rates: every measure's total for the period and the one before it. A change is
 *  given only where both rates are shown. */
export async function getHeadlines(ctx: ViewContext): Promise<Headline[]> {
  const previous = previousPeriod(ctx.filters.from, ctx.filters.to);
  const fhir = await getCms249StatusOnce(ctx);
  return Promise.all(
    MEASURE_KEYS.map(async (measure) => {
      const [now, before] = await Promise.all([
        getMeasure(ctx, toMeasureQuery(ctx.filters, ctx.asOf, { measure, groupBy: "payer" }), { suppress: ctx.suppress }),
        getMeasure(ctx, toMeasureQuery(ctx.filters, ctx.asOf, { measure, groupBy: "payer", ...previous }), { suppress: ctx.suppress }),
      ]);
      const change = now.total.rate !== null && before.total.rate !== null ? now.total.rate - before.total.rate : null;
      return { measure, current: now.total, previous: before.total, change, ...(measure === "cms249_dxa_overuse" ? { noFhirData: !fhir.fhirData } : {}) };
    }),
  );
}

export type Funnel = { ordersMature: ShownCount; scanned: ShownCount; documented: ShownCount; pending: ShownCount };

const countOf = (row: ReportableRow, name: "denominator" | "numerator" | "pending"): ShownCount => ({ value: row[name], visibility: row.visibility[name] });

/** Orders → scans → documented results of the period (mature orders, within W). Each step is
 *  a count of the follow-up or the documentation measure's total; a step either hides is
 *  hidden (a scanned count shown beside a documented one gives their difference away). */
export async function getFunnel(ctx: ViewContext): Promise<Funnel> {
  const [followUp, documented] = await Promise.all([
    getMeasure(ctx, toMeasureQuery(ctx.filters, ctx.asOf, { measure: "order_follow_up", groupBy: "payer" }), { suppress: ctx.suppress }),
    getMeasure(ctx, toMeasureQuery(ctx.filters, ctx.asOf, { measure: "result_documented", groupBy: "payer" }), { suppress: ctx.suppress }),
  ]);
  const scannedByFollowUp = countOf(followUp.total, "numerator");
  const scannedByDocumented = countOf(documented.total, "denominator");
  return {
    ordersMature: countOf(followUp.total, "denominator"),
    scanned: scannedByFollowUp.visibility !== "shown" ? scannedByFollowUp : scannedByDocumented,
    documented: countOf(documented.total, "numerator"),
    pending: countOf(followUp.total, "pending"),
  };
}

/** The selected measure by payer, and the all-payer benchmark it is read against. */
export async function getByPayer(ctx: ViewContext): Promise<{ result: ReportableResult; benchmark: Benchmark }> {
  const query = toMeasureQuery(ctx.filters, ctx.asOf, { groupBy: "payer" });
  const [result, benchmark] = await Promise.all([getMeasure(ctx, query, { suppress: ctx.suppress }), getBenchmark(ctx, query, { suppress: ctx.suppress })]);
  return { result, benchmark };
}

export type Trend = {
  /** Every payer in view together (the filters' payers, else every payer the viewer sees). */
  all: ReportableResult;
  /** The all-payer benchmark by month. */
  benchmark: Benchmark;
  payers: { payerKey: string; payerName: string; result: ReportableResult }[];
};

/** The selected measure by month: all payers in view, the benchmark, and each payer's line. */
export async function getTrend(ctx: ViewContext, payers: readonly { key: string; name: string }[]): Promise<Trend> {
  const query = toMeasureQuery(ctx.filters, ctx.asOf, { groupBy: "month" });
  const [all, benchmark, byPayer] = await Promise.all([
    getMeasure(ctx, query, { suppress: ctx.suppress }),
    getBenchmark(ctx, query, { suppress: ctx.suppress }),
    getMonthlyByPayer(
      ctx,
      query,
      payers.map((p) => p.key),
      { suppress: ctx.suppress },
    ),
  ]);
  return { all, benchmark, payers: payers.map((p) => ({ payerKey: p.key, payerName: p.name, result: byPayer.get(p.key)! })) };
}

export type ScanTiming = {
  /** Completed orders, in bins of days from order to scan (`0–7 d`, …, up to W). */
  bins: { label: string; count: ShownCount }[];
  completed: ShownCount;
  /** Null when there is none, or when it would describe 1 to 10 orders under suppression. */
  median: number | null;
  p90: number | null;
  overdue: ShownCount;
  inWindow: ShownCount;
  aging: { bucket: AgingBucket; count: ShownCount }[];
};

const BIN_EDGES = [7, 14, 30, 60, 90, 180];

/** Days from order to scan of completed mature orders, and the open orders by age. Bins and
 *  buckets are breakdowns of a total shown beside them, suppressed as such. */
export async function getScanTiming(ctx: ViewContext): Promise<ScanTiming> {
  const q = toMeasureQuery(ctx.filters, ctx.asOf);
  // One read of the days-to-scan counts gives the distribution and the percentiles.
  const [histogram, aging] = await Promise.all([getScanHistogram(ctx, q), getOpenOrderAging(ctx, q)]);
  const distribution = daysToScanDistributionFrom(histogram);
  const stats = daysToScanFrom(histogram);
  const total = stats.find((s) => s.payerKey === null);
  const open = aging.find((a) => a.payerKey === null);
  const w = ctx.filters.window;
  const edges = BIN_EDGES.filter((e) => e <= w);
  const binCounts = edges.map((edge, i) => {
    const low = i === 0 ? 0 : edges[i - 1]! + 1;
    return { label: `${low}–${edge} d`, n: distribution.filter((d) => d.days >= low && d.days <= edge).reduce((n, d) => n + d.orders, 0) };
  });
  const bins = showCounts(
    binCounts.map((b) => b.n),
    ctx.suppress,
  ).map((count, i) => ({ label: binCounts[i]!.label, count }));
  const completed = total?.completed ?? 0;
  const statsHidden = ctx.suppress && isSmallCount(completed);
  const [overdue, inWindow] = showCounts([open?.overdue ?? 0, open?.inWindow ?? 0], ctx.suppress);
  const agingCounts = showCounts(
    AGING_BUCKETS.map((b) => open?.[b] ?? 0),
    ctx.suppress,
  );
  return {
    bins,
    completed: showCount(completed, ctx.suppress),
    median: statsHidden ? null : (total?.median ?? null),
    p90: statsHidden ? null : (total?.p90 ?? null),
    overdue: overdue!,
    inWindow: inWindow!,
    aging: AGING_BUCKETS.map((bucket, i) => ({ bucket, count: agingCounts[i]! })),
  };
}
