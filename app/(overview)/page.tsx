import Link from "next/link";
import { connection } from "next/server";
import { Suspense } from "react";
import { canSeeMemberLevel } from "@/lib/access";
import type { Filters } from "@/lib/filters";
import { filtersToSearchParams, reportUrl, type SearchParams } from "@/lib/filters";
import {
  directionWords,
  formatCount,
  formatHiddenCount,
  formatInterval,
  formatMonth,
  formatPeriod,
  formatPointChange,
  formatRate,
  formatRateWithN,
  formatRowRate,
  formatShownCount,
  MEASURE_NAMES,
  PRODUCT_LINE_NAMES,
} from "@/lib/format";
import type { MeasureKey, ReportableRow } from "@/lib/measures";
import { measureWindowDays } from "@/lib/reports/measure-summary";
import { drawableValue } from "@/lib/stats/suppression";
import type { ViewContext } from "@/lib/views/context";
import { getByPayer, getFunnel, getHeadlines, getScanTiming, getTrend, previousPeriod } from "@/lib/views/overview";
import { allPayersLabel, hasPlottedPoint, keepTrendLine, provisionalMonths, trendPayerCandidates, trendPoint } from "@/lib/views/trend";
import { pageContext } from "../_lib/request";
import { ActiveFilters } from "../_components/active-filters";
import { BarsChart } from "../_components/charts/bars-chart";
import { ChartFrame } from "../_components/charts/chart-frame";
import { RateByPayerChart } from "../_components/charts/rate-by-payer-chart";
import { TrendChart, type TrendLine } from "../_components/charts/trend-chart";
import { DefinitionLink } from "../_components/definition-link";
import { EmptyWarehouse } from "../_components/empty-warehouse";
import { payerOptions, planOptions } from "../_components/filter-options";
import { FilterBar } from "../_components/filter-bar";
import { Notices } from "../_components/notices";
import { ALL_PAYERS_COLOUR, ALL_PAYERS_SERIES, payerColours } from "../_components/payer-colors";
import { hasBar, payerBars } from "../_components/payer-bars";
import { RateTable } from "../_components/rate-table";
import { SectionSkeleton } from "../_components/section-skeleton";
import { ScrollArea } from "../_components/scroll-area";
import { FunnelPanel, SpcPanel } from "../_components/comparison-panels";
import { SignificanceFootnote, SignificanceMark } from "../_components/significance";
import { changeOf } from "@/lib/views/comparison";
import { getPayerFunnel, getSpcChart, targetOf } from "@/lib/views/comparison-data";
import { loadTargets } from "@/lib/targets";

export default async function OverviewPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  await connection(); // always the warehouse as it is now, never a build-time copy
  const ctx = await pageContext("/", await searchParams);
  if (!ctx) return <EmptyWarehouse />;
  const key = JSON.stringify(ctx.filters);
  return (
    <>
      <h1>Overview</h1>
      <ActiveFilters ctx={ctx} />
      <FilterBar
        filters={ctx.filters}
        dataAsOf={ctx.dataAsOf}
        payers={payerOptions(ctx)}
        plans={planOptions(ctx)}
      />
      <Notices notices={ctx.notices} />
      <Suspense key={`h${key}`} fallback={<SectionSkeleton />}>
        <Headlines ctx={ctx} />
      </Suspense>
      <div className="grid-2">
        <Suspense key={`p${key}`} fallback={<SectionSkeleton />}>
          <ByPayer ctx={ctx} />
        </Suspense>
        <Suspense key={`f${key}`} fallback={<SectionSkeleton />}>
          <FunnelSection ctx={ctx} />
        </Suspense>
      </div>
      <Suspense key={`t${key}`} fallback={<SectionSkeleton />}>
        <Trend ctx={ctx} />
      </Suspense>
      <div className="grid-2">
        <Suspense key={`c${key}`} fallback={<SectionSkeleton />}>
          <PayerComparison ctx={ctx} />
        </Suspense>
        <Suspense key={`s${key}`} fallback={<SectionSkeleton />}>
          <ControlChart ctx={ctx} />
        </Suspense>
      </div>
      <Suspense key={`d${key}`} fallback={<SectionSkeleton />}>
        <Timing ctx={ctx} />
      </Suspense>
    </>
  );
}

const linkWith = (ctx: ViewContext, path: string, overrides: Partial<Filters> = {}, extra: Record<string, string> = {}) => {
  const params = filtersToSearchParams(ctx.filters, overrides, ctx.dataAsOf);
  for (const [k, v] of Object.entries(extra)) params.set(k, v);
  const query = params.toString();
  return query ? `${path}?${query}` : path;
};

/** What a measure's pending count is, in words. */
const PENDING_WORDS: Record<MeasureKey, string | null> = {
  order_follow_up: "orders with their window still open",
  result_documented: null,
  order_capture: "orders of the last 14 days",
  screening_ordering: null,
  post_fracture: "episodes within their 180 days",
  cms249_dxa_overuse: null,
};

async function Headlines({ ctx }: { ctx: ViewContext }) {
  const headlines = await getHeadlines(ctx);
  const previous = previousPeriod(ctx.filters.from, ctx.filters.to);
  const goals = loadTargets().targets;
  return (
    <section aria-label="Headline rates">
      <ul className="headlines">
        {headlines.map((h) => {
          const pending = PENDING_WORDS[h.measure];
          const showPending = pending !== null && (h.current.visibility.pending !== "shown" || (h.current.pending ?? 0) > 0);
          return (
            <li key={h.measure} className={`card headline${h.measure === ctx.filters.measure ? " selected" : ""}`} data-testid={`headline-${h.measure}`}>
              <Link href={linkWith(ctx, "/", { measure: h.measure })} className="headline-name" aria-current={h.measure === ctx.filters.measure ? "true" : undefined}>
                {MEASURE_NAMES[h.measure]}
              </Link>
              <span className={`headline-rate${h.current.rate === null ? " headline-rate-missing" : ""}`} data-testid={`headline-rate-${h.measure}`}>
                {h.noFhirData ? "No FHIR data loaded" : formatRowRate(h.current)}
              </span>
              <span className="headline-detail headline-direction" data-testid={`headline-direction-${h.measure}`}>
                {directionWords(h.measure)}
                {h.noFhirData ? " · computed from FHIR resources (Patient, Encounter, ServiceRequest, …); import a FHIR export to see it" : ""}
              </span>
              <span className="headline-detail">
                95% interval {formatInterval(h.current.ciLow, h.current.ciHigh)} · {formatHiddenCount(h.current.numerator, h.current.visibility.numerator)} of{" "}
                {formatHiddenCount(h.current.denominator, h.current.visibility.denominator)}
              </span>
              <span className="headline-detail" data-testid={`headline-change-${h.measure}`}>
                {h.change === null ? "No change to show against" : `${formatPointChange(h.change)} vs`} {formatPeriod(previous.from, previous.to)}
              </span>
              <SignificanceMark change={changeOf(h.current, h.previous)} testId={`headline-significance-${h.measure}`} />
              {goals[h.measure] ? (
                <span className="headline-detail" data-testid={`headline-target-${h.measure}`}>
                  {goals[h.measure]!.label} {formatRate(goals[h.measure]!.rate)}
                </span>
              ) : null}
              {showPending ? (
                <span className="headline-detail" data-testid={`headline-pending-${h.measure}`}>
                  not yet counted: {formatHiddenCount(h.current.pending, h.current.visibility.pending)} {pending}
                </span>
              ) : null}
              <span className="headline-footer">
                {h.current.flags.includes("low_volume") ? <span className="flag">low volume</span> : <span />}
                <DefinitionLink measure={h.measure} />
              </span>
            </li>
          );
        })}
      </ul>
      <SignificanceFootnote />
    </section>
  );
}

async function ByPayer({ ctx }: { ctx: ViewContext }) {
  const { result, benchmark } = await getByPayer(ctx);
  const colours = payerColours(ctx.dims.payers.map((p) => p.key));
  const href = (key: string) => linkWith(ctx, `/payers/${key}`, { payers: [], plans: [] });
  const bars = payerBars(result, colours, href);
  const overall = benchmark.available && benchmark.result.total.rate !== null ? { rate: benchmark.result.total.rate, label: allPayersLabel(ctx.filters, PRODUCT_LINE_NAMES) } : null;
  const title = `${MEASURE_NAMES[ctx.filters.measure]} by payer`;
  return (
    <ChartFrame
      title={title}
      testId="chart-rate-by-payer"
      measure={ctx.filters.measure}
      download={reportUrl("measure-summary", ctx.filters, ctx.dataAsOf, { groupBy: "payer" }, { bom: "1" })}
      empty={!hasBar(bars)}
      emptyReason={result.total.denominator !== 0 ? "No payer's rate can be shown: the table lists what there is." : undefined}
      note={`Bars show the rate with its 95% interval${overall ? `; the dashed line is the rate of ${overall.label.toLowerCase()}` : ""}. ${directionWords(ctx.filters.measure)}. Select a bar, or Tab to it and press Enter, to open the payer's page.`}
      table={
        <RateTable
          rows={result.rows}
          total={result.total}
          testId="table-rate-by-payer"
          caption={`${title}, ${formatPeriod(ctx.filters.from, ctx.filters.to)}`}
          groupName="Payer"
          label={(r) => r.payerName ?? "—"}
          href={(r) => (r.payerKey && r.payerKey !== "unknown" ? href(r.payerKey) : null)}
        />
      }
    >
      <RateByPayerChart label={`${title}: bar chart; each bar links to the payer's page`} payers={bars} overall={overall} testId="chart-rate-by-payer" goal={targetOf(ctx.filters.measure).target} />
    </ChartFrame>
  );
}

async function FunnelSection({ ctx }: { ctx: ViewContext }) {
  const f = await getFunnel(ctx);
  const w = ctx.filters.window;
  const steps = [
    { label: "Orders with their window closed", count: f.ordersMature },
    { label: `Scanned within ${w} days`, count: f.scanned },
    { label: "Result documented", count: f.documented },
  ];
  return (
    <ChartFrame
      title="Order → scan → documented result"
      testId="chart-funnel"
      measure="order_follow_up"
      empty={f.ordersMature.value === 0}
      note={
        <>
          Not yet counted: <span data-testid="funnel-pending">{formatShownCount(f.pending)}</span> orders with their {w}-day window still open.
        </>
      }
      table={
        <table data-testid="table-funnel">
          <caption>Orders of the period, from order to documented result</caption>
          <tbody>
            {steps.map((s) => (
              <tr key={s.label}>
                <th scope="row">{s.label}</th>
                <td className="num">{formatShownCount(s.count)}</td>
              </tr>
            ))}
            <tr>
              <th scope="row">Window still open (not yet counted)</th>
              <td className="num">{formatShownCount(f.pending)}</td>
            </tr>
          </tbody>
        </table>
      }
    >
      <BarsChart
        label="Order to scan to documented result: bar chart of counts"
        bars={steps.map((s, i) => ({ label: s.label, value: drawableValue(s.count), text: formatShownCount(s.count), colour: ["#1f5fa8", "#3f7fc8", "#6b9bd1"][i] }))}
        layout="rows"
        height={200}
        xTitle="Orders"
        testId="chart-funnel"
      />
    </ChartFrame>
  );
}

/** The x axis of a measure's trend: the month of what date. */
const TREND_MONTH_OF: Record<MeasureKey, string> = {
  order_follow_up: "Month of the order date",
  result_documented: "Month of the order date",
  order_capture: "Month of the order date",
  screening_ordering: "12 months ending with the month",
  post_fracture: "Month of the episode date",
  cms249_dxa_overuse: "12 months ending with the month",
};

async function Trend({ ctx }: { ctx: ViewContext }) {
  const candidates = trendPayerCandidates(ctx);
  const trend = await getTrend(ctx, candidates);
  const listed = new Map(ctx.dims.payers.map((p) => [p.key, p.listed]));
  const payers = trend.payers.filter((p) => keepTrendLine(p.payerKey, listed.get(p.payerKey) ?? false, p.result));
  const months = trend.all.rows.map((r) => r.month!);
  const colours = payerColours(ctx.dims.payers.map((p) => p.key));
  const benchmarkRows = trend.benchmark.available ? trend.benchmark.result.rows : null;
  const measure = ctx.filters.measure;
  const reference = allPayersLabel(ctx.filters, PRODUCT_LINE_NAMES);
  // The interval is drawn around one line: the one payer in view, else the all-payer line.
  const banded = payers.length === 1 ? payers[0]!.payerKey : ALL_PAYERS_SERIES;
  const n = (r: ReportableRow) => formatHiddenCount(r.denominator, r.visibility.denominator);
  const lineOf = (rows: ReportableRow[]) => rows.map((r) => ({ ...trendPoint(r), n: n(r) }));
  const lines: TrendLine[] = [
    ...(benchmarkRows ? [{ key: ALL_PAYERS_SERIES, label: reference, colour: ALL_PAYERS_COLOUR, dashed: true, band: banded === ALL_PAYERS_SERIES, points: lineOf(benchmarkRows) }] : []),
    ...payers.map((p) => ({ key: p.payerKey, label: p.payerName, colour: colours[p.payerKey] ?? "#8C8C8C", band: banded === p.payerKey, points: lineOf(p.result.rows) })),
  ];
  const rowsOf: Record<string, ReportableRow[]> = {
    ...(benchmarkRows ? { [ALL_PAYERS_SERIES]: benchmarkRows } : {}),
    ...Object.fromEntries(payers.map((p) => [p.payerKey, p.result.rows])),
  };
  const provisional = provisionalMonths(trend.all.rows);
  const windowDays = measureWindowDays(measure, ctx.filters.window);
  const own = lines.filter((l) => l.key !== ALL_PAYERS_SERIES).map((l) => l.points);
  const title = `${MEASURE_NAMES[measure]} by month`;
  return (
    <ChartFrame
      title={title}
      testId="chart-trend"
      measure={measure}
      download={reportUrl("measure-summary", ctx.filters, ctx.dataAsOf, { groupBy: "month" }, { series: "payer", bom: "1" })}
      empty={!hasPlottedPoint(own)}
      emptyReason={
        trend.all.total.denominator !== 0 || (trend.all.total.pending ?? 0) > 0
          ? "No month has a rate to plot for the payers in view: a month is plotted once more of it is counted than pending, and rates resting on small numbers may be hidden. The table lists every month."
          : undefined
      }
      note={`One line per payer${benchmarkRows ? ` and a dashed line for ${reference.toLowerCase()}` : ""}; the band is the 95% interval of ${banded === ALL_PAYERS_SERIES ? reference.toLowerCase() : payers[0]?.payerName}. ${
        windowDays === null ? "" : `Months still mostly within their ${windowDays}-day window are not plotted. `
      }Hollow points rest on fewer than 20. ${directionWords(measure)}.`}
      table={
        <ScrollArea label="Rates by month">
          <table data-testid="table-trend">
            <caption>
              {title}: rate and denominator (n) of each month{provisional.length ? "; provisional months are marked" : ""}
            </caption>
            <thead>
              <tr>
                <th scope="col">Month</th>
                {lines.map((s) => (
                  <th key={s.key} scope="col" className="num" data-series={s.key}>
                    {s.label}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {months.map((m, i) => (
                <tr key={m} data-month={m}>
                  <th scope="row">
                    {formatMonth(m)}
                    {provisional.includes(m) ? " (provisional)" : ""}
                  </th>
                  {lines.map((s) => (
                    <td key={s.key} className="num">
                      {rowsOf[s.key]?.[i] ? formatRateWithN(rowsOf[s.key]![i]!) : "—"}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </ScrollArea>
      }
    >
      <TrendChart label={`${title}: line chart, one line per payer`} months={months} lines={lines} provisional={provisional} xTitle={TREND_MONTH_OF[measure]} testId="chart-trend" goal={targetOf(measure).target} />
    </ChartFrame>
  );
}

const AGING_LABELS: Record<string, string> = { "0-30": "0–30 days", "31-60": "31–60 days", "61-90": "61–90 days", "91-180": "91–180 days", over_180: "over 180 days" };

async function Timing({ ctx }: { ctx: ViewContext }) {
  const [t, funnel] = await Promise.all([getScanTiming(ctx), getFunnel(ctx)]);
  const w = ctx.filters.window;
  const worklist = canSeeMemberLevel(ctx.viewer, "orders");
  // The orders of the period whose window is still open (the follow-up rate's pending) are those
  // not yet scanned (in window) and those scanned already, which count once the window closes.
  const scannedEarly =
    funnel.pending.visibility === "shown" && t.inWindow.visibility === "shown" && funnel.pending.value !== null && t.inWindow.value !== null
      ? funnel.pending.value - t.inWindow.value
      : null;
  return (
    <div className="grid-2">
      <ChartFrame
        title="Days from order to scan"
        testId="chart-days-to-scan"
        measure="order_follow_up"
        empty={t.completed.value === 0 || t.bins.every((b) => !drawableValue(b.count))}
        emptyReason={t.completed.value !== 0 ? "Every count here is from 1 to 10 and hidden (small numbers); the table lists them." : undefined}
        note={
          t.completed.value === 0
            ? undefined
            : t.median === null
              ? `Completed orders whose window has closed. Median and 90th percentile not shown: fewer than 11 completed orders.`
              : `Completed orders whose window has closed: median ${t.median.toFixed(1)} days, 90th percentile ${t.p90?.toFixed(1)} days, over ${formatShownCount(t.completed)} orders.`
        }
        table={
          <table data-testid="table-days-to-scan">
            <caption>Completed orders by days from order to scan</caption>
            <tbody>
              {t.bins.map((b) => (
                <tr key={b.label}>
                  <th scope="row">{b.label}</th>
                  <td className="num">{formatShownCount(b.count)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        }
      >
        <BarsChart
          label="Days from order to scan: bar chart of completed orders"
          bars={t.bins.map((b) => ({ label: b.label, value: drawableValue(b.count), text: formatShownCount(b.count) }))}
          xTitle="Days from order to scan"
          yTitle="Orders"
          testId="chart-days-to-scan"
        />
      </ChartFrame>
      <section className="panel" data-testid="open-orders" aria-labelledby="open-orders-title">
        <div className="panel-heading">
          <h2 id="open-orders-title">Orders not scanned</h2>
          <DefinitionLink measure="order_follow_up" />
        </div>
        <dl className="cards compact">
          <div className="card">
            <dt>Overdue: {w}-day window closed, no scan</dt>
            <dd data-testid="count-overdue">{formatShownCount(t.overdue)}</dd>
          </div>
          <div className="card">
            <dt>In window: not scanned yet</dt>
            <dd data-testid="count-in-window">{formatShownCount(t.inWindow)}</dd>
          </div>
        </dl>
        <p className="chart-note" data-testid="in-window-explained">
          {formatShownCount(funnel.pending)} orders of the period have their {w}-day window still open (not yet counted in the rate)
          {scannedEarly !== null ? `: ${formatCount(t.inWindow.value!)} not scanned yet, ${formatCount(scannedEarly)} scanned already.` : "."}
        </p>
        <table data-testid="table-aging">
          <caption>Orders not scanned, by days since the order on the as-of date</caption>
          <tbody>
            {t.aging.map(({ bucket, count }) => (
              <tr key={bucket}>
                <th scope="row">{worklist ? <Link href={linkWith(ctx, "/orders", {}, { age: bucket })}>{AGING_LABELS[bucket]}</Link> : AGING_LABELS[bucket]}</th>
                <td className="num">{formatShownCount(count)}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {worklist ? (
          <p>
            <Link href={linkWith(ctx, "/orders")} data-testid="overview-worklist-link">
              Work the list of orders not scanned →
            </Link>
          </p>
        ) : null}
      </section>
    </div>
  );
}

/** The funnel plot of the payers in view (issue 14): who differs from the all-payer rate more
 *  than chance would explain. */
async function PayerComparison({ ctx }: { ctx: ViewContext }) {
  const data = await getPayerFunnel(ctx);
  return (
    <FunnelPanel
      data={data}
      title={`${MEASURE_NAMES[ctx.filters.measure]}: payers compared fairly`}
      testId="chart-payer-funnel"
      measure={ctx.filters.measure}
      unitWord="Payer"
      targetProblem={targetOf(ctx.filters.measure).problem}
    />
  );
}

/** The monthly trend of every payer in view together as a control chart (issue 14). */
async function ControlChart({ ctx }: { ctx: ViewContext }) {
  const data = await getSpcChart(ctx, null);
  const subject = ctx.filters.payers.length === 1 ? (ctx.dims.payers.find((p) => p.key === ctx.filters.payers[0])?.name ?? "The payer") : "Every payer in view";
  return <SpcPanel data={data} title={`${MEASURE_NAMES[ctx.filters.measure]}: control chart`} testId="chart-spc" measure={ctx.filters.measure} subject={subject} />;
}
