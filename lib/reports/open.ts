import { toMeasureQuery } from "../filters";
import { getBenchmark, getMeasure } from "../measures";
import { openOrderCursor, type OrderQuery } from "../orders";
import { openFindingCursor } from "../reconciliation";
import { csvStream, csvStreamOf, type CsvStreamOptions } from "./csv";
import type { ViewContext } from "../views/context";
import { ALL, MEASURE_SUMMARY_COLUMNS, measureSummaryRecords, type Coverage } from "./measure-summary";
import { findingRecord, orderRecord, ORDERS_COLUMNS, RECONCILIATION_COLUMNS } from "./member-level";
import type { ReportRequest } from "./request";

/** A report request on a resolved snapshot. */
export type ResolvedReportRequest = ReportRequest & { asOf: string };

export type ReportFile = {
  fileName: string;
  /** UTF-8 CSV bytes, streamed: read it to the end or cancel it (it may hold a database
   *  transaction open until then). */
  body: ReadableStream<Uint8Array>;
};

/** The file name states the report, its question, the period and the as-of date, e.g.
 *  `measure-summary_order_follow_up_by-payer_2025-01-01_2025-12-31_as-of-2026-06-25.csv`. */
export function reportFileName(request: ResolvedReportRequest): string {
  const { filters, asOf } = request;
  const question = request.report === "measure-summary" ? `_${filters.measure}_by-${filters.groupBy.replace("_", "-")}` : "";
  return `${request.report}${question}_${filters.from}_${filters.to}_as-of-${asOf}.csv`;
}

function orderQuery(request: ResolvedReportRequest): OrderQuery {
  const { filters } = request;
  return {
    asOf: request.asOf,
    from: filters.from,
    to: filters.to,
    window: filters.window,
    payers: filters.payers,
    plans: filters.plans,
    productLines: filters.productLines,
    statuses: request.statuses,
  };
}

/** What a measure-summary file covers on the dimensions it is not grouped on: the filter's
 *  payers (for a payer-scoped viewer, their payers when none is named), plans and product
 *  lines, by name; `All` where nothing narrows it. */
function coverageOf(ctx: ViewContext): Coverage {
  const { filters, dims, viewer } = ctx;
  const payerKeys = filters.payers.length ? filters.payers : (viewer.payerScope ?? []);
  const payerName = (key: string) => dims.payers.find((p) => p.key === key)?.name ?? key;
  const planName = (id: string) => dims.plans.find((p) => p.planId === id)?.planName ?? id;
  const joined = (values: readonly string[]) => (values.length ? values.join(";") : ALL);
  return {
    payer: joined(payerKeys.map(payerName)),
    plan: joined(filters.plans.map(planName)),
    productLine: joined(filters.productLines),
    month: ALL,
  };
}

/**
 * Reads a report for a viewer. Whatever can fail before the first byte fails here (the
 * measure is computed, a member-level report's access is checked and its cursor declared),
 * so that a caller can still answer with an error status; the body then only streams.
 */
export async function openReport(ctx: ViewContext, request: ResolvedReportRequest, options: CsvStreamOptions = {}): Promise<ReportFile> {
  const fileName = reportFileName(request);
  const { db, viewer } = ctx;
  switch (request.report) {
    case "measure-summary": {
      const query = toMeasureQuery(request.filters, request.asOf);
      const [result, benchmark] = await Promise.all([
        getMeasure(ctx, query, { suppress: ctx.suppress }),
        viewer.payerScope === null ? null : getBenchmark(ctx, { ...query, groupBy: "payer" }, { suppress: ctx.suppress }),
      ]);
      const records = measureSummaryRecords(result, coverageOf(ctx), benchmark?.available ? benchmark.result.total : null);
      options.onRows?.(records.length);
      return { fileName, body: csvStreamOf(MEASURE_SUMMARY_COLUMNS, records) };
    }
    case "orders": {
      const cursor = await openOrderCursor(db, viewer, orderQuery(request));
      return { fileName, body: csvStream(ORDERS_COLUMNS, cursor, orderRecord, options) };
    }
    case "reconciliation": {
      const { filters } = request;
      const cursor = await openFindingCursor(db, viewer, {
        asOf: request.asOf,
        from: filters.from,
        to: filters.to,
        payers: filters.payers,
        plans: filters.plans,
        productLines: filters.productLines,
      });
      return { fileName, body: csvStream(RECONCILIATION_COLUMNS, cursor, findingRecord, options) };
    }
  }
}
