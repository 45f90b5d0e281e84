import { toMeasureQuery } from "../filters";
import { PRODUCT_LINE_NAMES, UNKNOWN_PLAN_NAME } from "../format";
import { getBenchmark, getMeasure, type MeasureKey } from "../measures";
import { loadTargets, type Target } from "../targets";
import { funnelPlotOf, spcChartOf, type FunnelPlotData, type SpcChartData } from "./comparison";
import type { ViewContext } from "./context";
import { allPayersLabel } from "./trend";

// The reads behind the funnel plots and control charts (issue 14), for the overview, the payer
// page and the scorecard; lib/views/comparison.ts shapes them. `ctx.suppress` decides what is
// hidden (the scorecard passes a context with it always on).

/** The goal of a measure, and the problem with the targets file when there is one. */
export function targetOf(measure: MeasureKey): { target: Target | null; problem: string | null } {
  const loaded = loadTargets();
  return { target: loaded.targets[measure] ?? null, problem: loaded.error };
}

/** Payers in view on the funnel of the selected measure, around the all-payer rate. */
export async function getPayerFunnel(ctx: ViewContext, measure: MeasureKey = ctx.filters.measure): Promise<FunnelPlotData> {
  const query = toMeasureQuery(ctx.filters, ctx.asOf, { measure, groupBy: "payer" });
  const [result, benchmark] = await Promise.all([getMeasure(ctx, query, { suppress: ctx.suppress }), getBenchmark(ctx, query, { suppress: ctx.suppress })]);
  const units = result.rows.filter((r) => r.payerKey !== null).map((r) => ({ key: r.payerKey!, name: r.payerName ?? r.payerKey!, row: r }));
  return funnelPlotOf(units, benchmark.available ? benchmark.result.total : null, allPayersLabel(ctx.filters, PRODUCT_LINE_NAMES), targetOf(measure).target);
}

/** A payer's plans on the funnel of a measure, around the all-payer rate. */
export async function getPlanFunnel(ctx: ViewContext, payerKey: string, measure: MeasureKey = ctx.filters.measure): Promise<FunnelPlotData> {
  const scoped = { ...ctx.filters, payers: [payerKey] };
  const [result, benchmark] = await Promise.all([
    getMeasure(ctx, toMeasureQuery(scoped, ctx.asOf, { measure, groupBy: "plan" }), { suppress: ctx.suppress }),
    getBenchmark(ctx, toMeasureQuery(ctx.filters, ctx.asOf, { measure, groupBy: "payer" }), { suppress: ctx.suppress }),
  ]);
  const units = result.rows.map((r) => ({ key: r.planId ?? "none", name: r.planName ?? UNKNOWN_PLAN_NAME, row: r }));
  return funnelPlotOf(units, benchmark.available ? benchmark.result.total : null, allPayersLabel(ctx.filters, PRODUCT_LINE_NAMES), targetOf(measure).target);
}

/** The control chart of a measure by month: of one payer, or of every payer in view. */
export async function getSpcChart(ctx: ViewContext, payerKey: string | null, measure: MeasureKey = ctx.filters.measure): Promise<SpcChartData> {
  const filters = payerKey ? { ...ctx.filters, payers: [payerKey] } : ctx.filters;
  const result = await getMeasure(ctx, toMeasureQuery(filters, ctx.asOf, { measure, groupBy: "month" }), { suppress: ctx.suppress });
  return spcChartOf(result.rows, targetOf(measure).target);
}
