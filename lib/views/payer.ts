import type { Sql } from "@/db/client";
import type { Viewer } from "../access";
import { toMeasureQuery, type Filters } from "../filters";
import { getClaimsLag, getDenialShare, getMeasure, MEASURE_KEYS, suppressionApplies, type MeasureKey, type ReportableResult } from "../measures";
import { isSmallCount, suppressSingle, type CountVisibility } from "../stats/suppression";

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
  trend: { payer: ReportableResult; all: ReportableResult };
  claimsLag: PayerClaimsLag | null;
  denial: PayerDenialShare | null;
};

/** The payer drill-down (SPEC section 6): its plans side by side on every measure, its trend
 *  against all payers, its claims lag and denial share, each suppressed as the viewer and the
 *  filters require. */
export async function getPayerView(db: Sql, viewer: Viewer, filters: Filters, asOf: string, payerKey: string): Promise<PayerView> {
  const scoped = { ...filters, payers: [payerKey] };
  const byPlan = {} as Record<MeasureKey, ReportableResult>;
  for (const measure of MEASURE_KEYS) {
    byPlan[measure] = await getMeasure(db, viewer, toMeasureQuery(scoped, asOf, { measure, groupBy: "plan" }), { suppress: filters.suppress });
  }
  const payer = await getMeasure(db, viewer, toMeasureQuery(scoped, asOf, { groupBy: "month" }), { suppress: filters.suppress });
  const all = await getMeasure(db, viewer, toMeasureQuery({ ...filters, payers: [] }, asOf, { groupBy: "month" }), { suppress: filters.suppress });
  const suppress = suppressionApplies(viewer, filters.suppress);
  const lag = (await getClaimsLag(db, asOf)).get(payerKey) ?? null;
  const denial = (await getDenialShare(db, viewer, toMeasureQuery(scoped, asOf))).find((d) => d.payerKey === payerKey) ?? null;
  return {
    byPlan,
    trend: { payer, all },
    claimsLag: lag && reportableLag(lag, suppress),
    denial: denial && reportableDenial(denial, suppress),
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
