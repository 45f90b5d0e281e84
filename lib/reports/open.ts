import { toMeasureQuery } from "../filters";
import { getBenchmark, getMeasure } from "../measures";
import { openOrderCursor, type OrderQuery } from "../orders";
import { ORDER_STATUSES } from "../orders/types";
import { openFindingCursor } from "../reconciliation";
import { csvStream, csvStreamOf, type CsvStreamOptions } from "./csv";
import type { ViewContext } from "../views/context";
import { getPayerLines } from "../views/trend";
import { worklistOrderQuery } from "../views/worklist";
import type { MeasureKey } from "../measures/types";
import { ALL, measureSummaryColumns, measureSummaryRecords, type Coverage } from "./measure-summary";
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

/** The marker of a file whose small cells are hidden: the only kind that may leave the quality
 *  team (SPEC section 5). An internal file never carries it. */
export const FOR_SHARING = "for-sharing-small-cells-hidden";

/** The measures whose figures depend on the follow-up window W (the others have fixed windows,
 *  or none). */
const WINDOWED_MEASURES: readonly MeasureKey[] = ["order_follow_up", "result_documented"];

/** A filter value as a piece of a file name: letters, digits, dot and dash only. */
const namePart = (value: string) => value.replace(/[^A-Za-z0-9.-]+/g, "-").replace(/^-+|-+$/g, "") || "x";

/** A list filter in a file name: `payer-aetna`, `payer-aetna+bcbs`, `plan-4-plans`. */
function listPart(name: string, values: readonly string[], plural: string): string | null {
  if (values.length === 0) return null;
  if (values.length > 3) return `${name}-${values.length}-${plural}`;
  return `${name}-${values.map(namePart).join("+")}`;
}

/**
 * The file name states the report and everything that selects its rows, so that two different
 * files never share a name and a file read on its own says what it holds: the measure and its
 * grouping, each filter (payer, plan, product line, the follow-up window where it matters, the
 * statuses and narrowing of an orders list), the period, the as-of date, and last whether small
 * cells are hidden (a file for sharing), e.g.
 * `measure-summary_order_follow_up_by-payer_window-90_2025-01-01_2025-12-31_as-of-2026-06-25.csv`,
 * `measure-summary_order_follow_up_by-plan_payer-aetna_window-90_2025-01-01_2025-12-31_as-of-2026-06-25_for-sharing-small-cells-hidden.csv`,
 * `orders_open_window-90_2025-01-01_2025-12-31_as-of-2026-06-25.csv`.
 */
export function reportFileName(request: ResolvedReportRequest, options: { suppressed?: boolean } = {}): string {
  const { filters, asOf } = request;
  const parts: (string | null)[] = [request.report];
  if (request.report === "measure-summary") {
    parts.push(filters.measure, `by-${filters.groupBy.replace("_", "-")}${request.series === "payer" ? "-and-payer" : ""}`);
  }
  if (request.report === "orders") parts.push(statusPart(request.statuses));
  parts.push(listPart("payer", filters.payers, "payers"), listPart("plan", filters.plans, "plans"), listPart("product-line", filters.productLines, "product-lines"));
  const usesWindow = request.report === "orders" || (request.report === "measure-summary" && WINDOWED_MEASURES.includes(filters.measure));
  if (usesWindow) parts.push(`window-${filters.window}`);
  if (request.report === "orders" && request.worklist) {
    const w = request.worklist;
    parts.push(listPart("age", w.ageBuckets.map((b) => b.replace("_", "-")), "ages"), w.orderingNpi ? `npi-${namePart(w.orderingNpi)}` : null, w.member ? `member-${namePart(w.member)}` : null);
  }
  parts.push(filters.from, filters.to, `as-of-${asOf}`);
  if (options.suppressed ?? filters.suppress) parts.push(FOR_SHARING);
  return `${parts.filter((p) => p !== null).join("_")}.csv`;
}

/** The statuses of an orders list in its name: `open` for the worklist's (overdue and in
 *  window), none for every status. */
function statusPart(statuses: readonly string[]): string | null {
  const set = new Set(statuses);
  if (set.size === 0 || set.size === ORDER_STATUSES.length) return null;
  if (set.size === 2 && set.has("overdue") && set.has("in_window")) return "open";
  return ORDER_STATUSES.filter((s) => set.has(s)).map((s) => s.replace("_", "-")).join("+");
}

function orderQuery(request: ResolvedReportRequest): OrderQuery {
  return worklistOrderQuery(request.asOf, request.filters, request.statuses, request.worklist);
}

/** What a measure-summary file covers on the dimensions it is not grouped on: the filter's
 *  payers (for a payer-scoped viewer, their payers when none is named), plans and product
 *  lines, by name; `All` where nothing narrows it. */
export function coverageOf(ctx: ViewContext): Coverage {
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

/** The rows of a trend chart's CSV (`series=payer`): the all-payer months and their total (when
 *  the viewer may see them), then each payer line's months and its total, as the chart draws
 *  them (lib/views/trend.ts chooses the lines). */
async function seriesRecords(ctx: ViewContext, request: ResolvedReportRequest): Promise<string[][]> {
  const query = toMeasureQuery(request.filters, request.asOf);
  const covered = coverageOf(ctx);
  const [benchmark, lines] = await Promise.all([getBenchmark(ctx, query, { suppress: ctx.suppress }), getPayerLines(ctx)]);
  return [
    ...(benchmark.available ? measureSummaryRecords(benchmark.result, { ...covered, payer: ALL, plan: ALL }) : []),
    ...lines.flatMap((line) => measureSummaryRecords(line.result, { ...covered, payer: line.payerName })),
  ];
}

/**
 * Reads a report for a viewer. Whatever can fail before the first byte fails here (the
 * measure is computed, a member-level report's access is checked and its cursor declared),
 * so that a caller can still answer with an error status; the body then only streams.
 */
export async function openReport(ctx: ViewContext, request: ResolvedReportRequest, options: CsvStreamOptions = {}): Promise<ReportFile> {
  const fileName = reportFileName(request, { suppressed: ctx.suppress });
  const { db, viewer } = ctx;
  const streamOptions = { ...options, bom: request.bom ?? false };
  switch (request.report) {
    case "measure-summary": {
      let records: string[][];
      if (request.series === "payer") {
        records = await seriesRecords(ctx, request);
      } else {
        const query = toMeasureQuery(request.filters, request.asOf);
        const [result, benchmark] = await Promise.all([
          getMeasure(ctx, query, { suppress: ctx.suppress }),
          viewer.payerScope === null ? null : getBenchmark(ctx, { ...query, groupBy: "payer" }, { suppress: ctx.suppress }),
        ]);
        records = measureSummaryRecords(result, coverageOf(ctx), benchmark?.available ? benchmark.result.total : null);
      }
      options.onRows?.(records.length);
      return { fileName, body: csvStreamOf(measureSummaryColumns(request.filters.groupBy), records, { bom: streamOptions.bom }) };
    }
    case "orders": {
      const cursor = await openOrderCursor(db, viewer, orderQuery(request));
      return { fileName, body: csvStream(ORDERS_COLUMNS, cursor, orderRecord, streamOptions) };
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
      return { fileName, body: csvStream(RECONCILIATION_COLUMNS, cursor, findingRecord, streamOptions) };
    }
  }
}
