import type { Sql } from "@/db/client";
import type { Viewer } from "../access";
import { daysBetween, addDays } from "../dates";
import { toMeasureQuery, type Filters } from "../filters";
import {
  getDaysToScan,
  getDaysToScanDistribution,
  getMeasure,
  getOpenOrderAging,
  MEASURE_KEYS,
  type MeasureKey,
  type ReportableResult,
  type ReportableRow,
} from "../measures";

export type Headline = { measure: MeasureKey; current: ReportableRow; previous: ReportableRow; change: number | null };

/** The period of the same length just before [from, to]: "the change against the previous
 *  period" of the headline rates. */
export function previousPeriod(from: string, to: string): { from: string; to: string } {
  const days = daysBetween(from, to) + 1;
  return { from: addDays(from, -days), to: addDays(from, -1) };
}

/** Headline rates: every measure's total for the period and the one before it. */
export async function getHeadlines(db: Sql, viewer: Viewer, filters: Filters, asOf: string): Promise<Headline[]> {
  const previous = previousPeriod(filters.from, filters.to);
  return Promise.all(
    MEASURE_KEYS.map(async (measure) => {
      const now = await getMeasure(db, viewer, toMeasureQuery(filters, asOf, { measure, groupBy: "payer" }), { suppress: filters.suppress });
      const before = await getMeasure(db, viewer, toMeasureQuery(filters, asOf, { measure, groupBy: "payer", ...previous }), {
        suppress: filters.suppress,
      });
      const change = now.total.rate !== null && before.total.rate !== null ? now.total.rate - before.total.rate : null;
      return { measure, current: now.total, previous: before.total, change };
    }),
  );
}

export type Funnel = { ordersMature: number | null; scanned: number | null; documented: number | null; pending: number | null };

/** Orders → scans → documented results of the period (mature orders, within W). */
export async function getFunnel(db: Sql, viewer: Viewer, filters: Filters, asOf: string): Promise<Funnel> {
  const followUp = await getMeasure(db, viewer, toMeasureQuery(filters, asOf, { measure: "order_follow_up", groupBy: "payer" }), { suppress: filters.suppress });
  const documented = await getMeasure(db, viewer, toMeasureQuery(filters, asOf, { measure: "result_documented", groupBy: "payer" }), { suppress: filters.suppress });
  return {
    ordersMature: followUp.total.denominator,
    scanned: followUp.total.numerator,
    documented: documented.total.numerator,
    pending: followUp.total.pending,
  };
}

/** The selected measure by payer. */
export function getByPayer(db: Sql, viewer: Viewer, filters: Filters, asOf: string): Promise<ReportableResult> {
  return getMeasure(db, viewer, toMeasureQuery(filters, asOf, { groupBy: "payer" }), { suppress: filters.suppress });
}

export type Trend = { all: ReportableResult; payers: { payerKey: string; payerName: string; result: ReportableResult }[] };

/** The selected measure by month, for all payers and for each payer in view. */
export async function getTrend(db: Sql, viewer: Viewer, filters: Filters, asOf: string, payerKeys: { key: string; name: string }[]): Promise<Trend> {
  const all = await getMeasure(db, viewer, toMeasureQuery(filters, asOf, { groupBy: "month" }), { suppress: filters.suppress });
  const payers = [];
  for (const p of payerKeys) {
    const result = await getMeasure(db, viewer, toMeasureQuery(filters, asOf, { groupBy: "month", payers: [p.key] }), { suppress: filters.suppress });
    payers.push({ payerKey: p.key, payerName: p.name, result });
  }
  return { all, payers };
}

export async function getScanTiming(db: Sql, viewer: Viewer, filters: Filters, asOf: string) {
  const q = { ...toMeasureQuery(filters, asOf) };
  const [distribution, stats, aging] = await Promise.all([
    getDaysToScanDistribution(db, viewer, q),
    getDaysToScan(db, viewer, q),
    getOpenOrderAging(db, viewer, q),
  ]);
  return { distribution, stats: stats.find((s) => s.payerKey === null) ?? null, aging: aging.find((a) => a.payerKey === null) ?? null };
}
