import type { Sql } from "@/db/client";
import { computeMeasure, type FollowUpWindow, type MeasureKey } from "@/lib/measures";
import { compute, QUALITY_OFFICER } from "./viewers";

export type PayerCounts = { payerKey: string; denominator: number; numerator: number; pending: number };

/** A measure's counts by payer key, leaving out payers with nothing counted (the engine lists
 *  the five payers always). For tests that pin derivation rules through the measures. */
export async function countMeasureByPayer(
  db: Sql,
  measure: MeasureKey,
  params: { asOf: string; from: string; to: string; window: FollowUpWindow },
): Promise<PayerCounts[]> {
  const result = await compute(db, QUALITY_OFFICER, { measure, ...params, groupBy: "payer" });
  return result.rows
    .filter((r) => r.denominator + r.numerator + r.pending > 0)
    .map((r) => ({ payerKey: r.payerKey!, denominator: r.denominator, numerator: r.numerator, pending: r.pending }));
}
