import type { Sql } from "@/db/client";
import type { Viewer } from "../access";
import { toMeasureQuery, type Filters } from "../filters";
import { getClaimsLag, getDenialShare, getMeasure, MEASURE_KEYS, type MeasureKey, type ReportableResult } from "../measures";

export type PayerView = {
  /** Every measure by plan of the payer (same rows, same order, in each). */
  byPlan: Record<MeasureKey, ReportableResult>;
  trend: { payer: ReportableResult; all: ReportableResult };
  claimsLag: { medianDays: number; p90Days: number; lines: number } | null;
  denial: { lines: number; denied: number } | null;
};

/** The payer drill-down (SPEC section 6): its plans side by side on every measure, its trend
 *  against all payers, its claims lag and denial share. */
export async function getPayerView(db: Sql, viewer: Viewer, filters: Filters, asOf: string, payerKey: string): Promise<PayerView> {
  const scoped = { ...filters, payers: [payerKey] };
  const byPlan = {} as Record<MeasureKey, ReportableResult>;
  for (const measure of MEASURE_KEYS) {
    byPlan[measure] = await getMeasure(db, viewer, toMeasureQuery(scoped, asOf, { measure, groupBy: "plan" }), { suppress: filters.suppress });
  }
  const payer = await getMeasure(db, viewer, toMeasureQuery(scoped, asOf, { groupBy: "month" }), { suppress: filters.suppress });
  const all = await getMeasure(db, viewer, toMeasureQuery({ ...filters, payers: [] }, asOf, { groupBy: "month" }), { suppress: filters.suppress });
  const lag = (await getClaimsLag(db, asOf)).get(payerKey) ?? null;
  const denial = (await getDenialShare(db, viewer, toMeasureQuery(scoped, asOf))).find((d) => d.payerKey === payerKey) ?? null;
  return { byPlan, trend: { payer, all }, claimsLag: lag, denial };
}
