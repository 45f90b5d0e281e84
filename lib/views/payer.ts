import { toMeasureQuery } from "../filters";
import { getBenchmark, getDenialShare, getMeasure, MEASURE_KEYS, type Benchmark, type MeasureKey, type ReportableResult } from "../measures";
import { isSmallCount, suppressSingle, type CountVisibility } from "../stats/suppression";
import type { ViewContext } from "./context";

/** The payer's claims lag; with suppression on, a lag over 1–10 lines is hidden whole: its
 *  median and 90th percentile would describe a handful of members' claims. */
export type PayerClaimsLag = { medianDays: number | null; p90Days: number | null; lines: number | null; linesVisibility: CountVisibility };

/** Denied central DXA lines of the period; counts and share hidden as SPEC section 5 says for
 *  a count and a rate (null = hidden). */
export type PayerDenialShare = {
  lines: number | null;
  denied: number | null;
  /** Null when there are no lines, or when suppression hides the rate. */
  share: number | null;
  visibility: { lines: CountVisibility; denied: CountVisibility; shareHidden: boolean };
};

export type PayerView = {
  /** Every measure by plan of the payer (same rows, same order, in each). */
  byPlan: Record<MeasureKey, ReportableResult>;
  trend: { payer: ReportableResult; benchmark: Benchmark };
  claimsLag: PayerClaimsLag | null;
  denial: PayerDenialShare | null;
};

/** The payer drill-down (SPEC section 6): its plans side by side on every measure, its trend
 *  against the all-payer benchmark, its claims lag and denial share, each suppressed as the
 *  viewer and the filters require. Its independent reads run together. */
export async function getPayerView(ctx: ViewContext, payerKey: string): Promise<PayerView> {
  const scoped = { ...ctx.filters, payers: [payerKey] };
  const options = { suppress: ctx.suppress };
  const [plans, payer, benchmark, denials] = await Promise.all([
    Promise.all(MEASURE_KEYS.map((measure) => getMeasure(ctx, toMeasureQuery(scoped, ctx.asOf, { measure, groupBy: "plan" }), options))),
    getMeasure(ctx, toMeasureQuery(scoped, ctx.asOf, { groupBy: "month" }), options),
    getBenchmark(ctx, toMeasureQuery(ctx.filters, ctx.asOf, { groupBy: "month" }), options),
    getDenialShare(ctx, toMeasureQuery(scoped, ctx.asOf)),
  ]);
  const lag = ctx.claimsLag.byPayer.get(payerKey) ?? null;
  const denial = denials.find((d) => d.payerKey === payerKey) ?? null;
  return {
    byPlan: Object.fromEntries(MEASURE_KEYS.map((m, i) => [m, plans[i]!])) as Record<MeasureKey, ReportableResult>,
    trend: { payer, benchmark },
    claimsLag: lag && reportableLag(lag, ctx.suppress),
    denial: denial && reportableDenial(denial, ctx.suppress),
  };
}

function reportableLag(lag: { medianDays: number; p90Days: number; lines: number }, suppress: boolean): PayerClaimsLag {
  if (suppress && isSmallCount(lag.lines)) return { medianDays: null, p90Days: null, lines: null, linesVisibility: "small" };
  return { ...lag, linesVisibility: "shown" };
}

function reportableDenial({ lines, denied }: { lines: number; denied: number }, suppress: boolean): PayerDenialShare {
  const v = suppress ? suppressSingle({ denominator: lines, numerator: denied, pending: 0 }) : null;
  const linesShown = !v || v.denominator === "shown";
  const deniedShown = !v || v.numerator === "shown";
  const shareHidden = v?.rateHidden ?? false;
  return {
    lines: linesShown ? lines : null,
    denied: deniedShown ? denied : null,
    share: lines > 0 && !shareHidden ? denied / lines : null,
    visibility: { lines: v?.denominator ?? "shown", denied: v?.numerator ?? "shown", shareHidden },
  };
}
