import { toMeasureQuery } from "../filters";
import { getMeasure, MEASURE_KEYS, type MeasureKey, type ReportableRow } from "../measures";
import { previousPeriod, type Period } from "../periods";
import type { Target } from "../targets";
import { changeOf, type Change, type FunnelPlotData } from "./comparison";
import { getPlanFunnel, targetOf } from "./comparison-data";
import type { ViewContext } from "./context";
import { getPayerView, type PayerView } from "./payer";
import { getAllPayerRate, trendPoint, type TrendPoint } from "./trend";

// The payer scorecard (issue 14): the payer page made for the payer meeting, on paper. What it
// shows is shared outside the organisation, so suppression is always on, whoever prints it.

export type ScorecardMonth = TrendPoint & { month: string; provisional: boolean };

export type ScorecardMeasure = {
  measure: MeasureKey;
  current: ReportableRow;
  previous: ReportableRow;
  change: Change;
  benchmark: ReportableRow | null;
  target: Target | null;
  months: ScorecardMonth[];
};

export type Scorecard = {
  previous: Period;
  measures: ScorecardMeasure[];
  view: PayerView;
  funnel: FunnelPlotData;
  /** The problem with the targets file, when there is one. */
  targetProblem: string | null;
};

/** The context a scorecard reads with: the viewer's, with suppression on. */
export function scorecardContext(ctx: ViewContext): ViewContext {
  return { ...ctx, suppress: true };
}

export async function getScorecard(ctx: ViewContext, payerKey: string): Promise<Scorecard> {
  const card = scorecardContext(ctx);
  const scoped = { ...card.filters, payers: [payerKey] };
  const previous = previousPeriod(card.filters.from, card.filters.to);
  const options = { suppress: true };
  const [view, funnel, measures] = await Promise.all([
    getPayerView(card, payerKey),
    getPlanFunnel(card, payerKey),
    Promise.all(
      MEASURE_KEYS.map(async (measure): Promise<ScorecardMeasure> => {
        const [now, before, monthly, benchmark] = await Promise.all([
          getMeasure(card, toMeasureQuery(scoped, card.asOf, { measure, groupBy: "payer" }), options),
          getMeasure(card, toMeasureQuery(scoped, card.asOf, { measure, groupBy: "payer", ...previous }), options),
          getMeasure(card, toMeasureQuery(scoped, card.asOf, { measure, groupBy: "month" }), options),
          getAllPayerRate(card, measure),
        ]);
        return {
          measure,
          current: now.total,
          previous: before.total,
          change: changeOf(now.total, before.total),
          benchmark,
          target: targetOf(measure).target,
          months: monthly.rows.map((r) => ({ ...trendPoint(r), month: r.month!, provisional: r.flags.includes("provisional") })),
        };
      }),
    ),
  ]);
  return { previous, measures, view, funnel, targetProblem: targetOf(card.filters.measure).problem };
}
