import Link from "next/link";
import { connection } from "next/server";
import { Suspense } from "react";
import { canSeeMemberLevel } from "@/lib/access";
import type { Filters } from "@/lib/filters";
import { filtersToSearchParams, reportUrl, type SearchParams } from "@/lib/filters";
import { formatHiddenCount, formatInterval, formatMonth, formatPointChange, formatRowRate, formatShownCount, MEASURE_NAMES } from "@/lib/format";
import type { ReportableRow } from "@/lib/measures";
import { drawableValue } from "@/lib/stats/suppression";
import type { ViewContext } from "@/lib/views/context";
import { plottedRate } from "@/lib/views/trend";
import { getByPayer, getFunnel, getHeadlines, getScanTiming, getTrend } from "@/lib/views/overview";
import { pageContext } from "../_lib/request";
import { ActiveFilters } from "../_components/active-filters";
import { BarsChart } from "../_components/charts/bars-chart";
import { ChartFrame } from "../_components/charts/chart-frame";
import { RateByPayerChart } from "../_components/charts/rate-by-payer-chart";
import { TrendChart } from "../_components/charts/trend-chart";
import { EmptyWarehouse } from "../_components/empty-warehouse";
import { FilterBar } from "../_components/filter-bar";
import { Notices } from "../_components/notices";
import { ALL_PAYERS_COLOUR, ALL_PAYERS_SERIES, payerColours } from "../_components/payer-colors";
import { payerBars } from "../_components/payer-bars";
import { RateTable } from "../_components/rate-table";
import { SectionSkeleton } from "../_components/section-skeleton";

export default async function OverviewPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  await connection(); // always the warehouse as it is now, never a build-time copy
  const ctx = await pageContext("/", await searchParams);
  if (!ctx) return <EmptyWarehouse />;
  const key = JSON.stringify(ctx.filters);
  return (
    <>
      <h1>Overview</h1>
      <ActiveFilters ctx={ctx} />
      <FilterBar filters={ctx.filters} dataAsOf={ctx.dataAsOf} payers={ctx.dims.payers.map((p) => ({ key: p.key, name: p.name }))}
        plans={ctx.dims.plans.map((p) => ({ key: p.planId, name: p.planName, payerKey: p.payerKey }))} />
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
      <Suspense key={`d${key}`} fallback={<SectionSkeleton />}>
        <Timing ctx={ctx} />
      </Suspense>
    </>
  );
}

const linkWith = (ctx: ViewContext, path: string, overrides: Partial<Filters> = {}) => {
  const query = filtersToSearchParams(ctx.filters, overrides, ctx.dataAsOf).toString();
  return query ? `${path}?${query}` : path;
};


async function Headlines({ ctx }: { ctx: ViewContext }) {
  const headlines = await getHeadlines(ctx);
  return (
    <section aria-label="Headline rates">
      <ul className="headlines">
        {headlines.map((h) => (
          <li key={h.measure} className={`card headline${h.measure === ctx.filters.measure ? " selected" : ""}`} data-testid={`headline-${h.measure}`}>
            <Link href={linkWith(ctx, "/", { measure: h.measure })} className="headline-name">
              {MEASURE_NAMES[h.measure]}
            </Link>
            <span className="headline-rate" data-testid={`headline-rate-${h.measure}`}>
              {formatRowRate(h.current)}
            </span>
            <span className="headline-detail">
              95% CI {formatInterval(h.current.ciLow, h.current.ciHigh)} · {formatHiddenCount(h.current.numerator, h.current.visibility.numerator)} of{" "}
              {formatHiddenCount(h.current.denominator, h.current.visibility.denominator)}
            </span>
            <span className="headline-detail">
              {formatPointChange(h.change)} vs previous period · higher is better
              {h.current.visibility.pending !== "shown" || h.current.pending ? ` · ${formatHiddenCount(h.current.pending, h.current.visibility.pending)} pending` : ""}
            </span>
            {h.current.flags.includes("low_volume") ? <span className="flag">low volume</span> : null}
          </li>
        ))}
      </ul>
    </section>
  );
}

async function ByPayer({ ctx }: { ctx: ViewContext }) {
  const { result, benchmark } = await getByPayer(ctx);
  const payers = payerBars(result, (key) => linkWith(ctx, `/payers/${key}`, { payers: [] }));
  const overall = benchmark.available ? benchmark.result.total.rate : null;
  return (
    <ChartFrame
      title={`${MEASURE_NAMES[ctx.filters.measure]} by payer`}
      testId="chart-rate-by-payer"
      download={reportUrl("measure-summary", ctx.filters, ctx.dataAsOf, { groupBy: "payer" })}
      empty={result.total.denominator === 0}
      note={`Bars show the rate with its 95% interval; ${overall === null ? "the all-payer rate is not shown here" : "the dashed line is the rate over all payers and plans"}. Higher is better. Select a bar for the payer's plans.`}
      table={<RateTable rows={result.rows} total={result.total} testId="table-rate-by-payer" label={(r) => r.payerName ?? "—"} />}
    >
      <RateByPayerChart payers={payers} overall={overall} />
    </ChartFrame>
  );
}

async function FunnelSection({ ctx }: { ctx: ViewContext }) {
  const f = await getFunnel(ctx);
  const steps = [
    { label: "Orders (window closed)", count: f.ordersMature },
    { label: `Scanned within ${ctx.filters.window} days`, count: f.scanned },
    { label: "Result documented", count: f.documented },
  ];
  return (
    <ChartFrame
      title="Order → scan → documented result"
      testId="chart-funnel"
      empty={f.ordersMature.value === 0}
      note={`${formatShownCount(f.pending)} more orders are still within their ${ctx.filters.window}-day window and not counted.`}
      table={
        <table data-testid="table-funnel">
          <tbody>
            {steps.map((s) => (
              <tr key={s.label}>
                <th scope="row">{s.label}</th>
                <td className="num">{formatShownCount(s.count)}</td>
              </tr>
            ))}
            <tr>
              <th scope="row">Pending (window open)</th>
              <td className="num">{formatShownCount(f.pending)}</td>
            </tr>
          </tbody>
        </table>
      }
    >
      <BarsChart
        bars={steps.map((s, i) => ({ label: s.label, value: drawableValue(s.count), colour: ["#1f5fa8", "#3f7fc8", "#7aa7dc"][i] }))}
        layout="rows"
        height={180}
      />
    </ChartFrame>
  );
}

async function Trend({ ctx }: { ctx: ViewContext }) {
  const inView = ctx.dims.payers.filter((p) => (ctx.filters.payers.length ? ctx.filters.payers.includes(p.key) : p.listed || p.key !== "unknown"));
  const trend = await getTrend(ctx, inView);
  const months = trend.all.rows.map((r) => r.month!);
  const colours = payerColours(trend.payers.map((p) => p.payerKey));
  const benchmarkRows = trend.benchmark.available ? trend.benchmark.result.rows : null;
  const series = [
    ...(benchmarkRows ? [{ key: ALL_PAYERS_SERIES, label: "All payers", colour: ALL_PAYERS_COLOUR, dashed: true, points: benchmarkRows.map(plottedRate) }] : []),
    ...trend.payers.map((p) => ({ key: p.payerKey, label: p.payerName, colour: colours[p.payerKey]!, points: p.result.rows.map(plottedRate) })),
  ];
  const rowsOf: Record<string, ReportableRow[]> = {
    ...(benchmarkRows ? { [ALL_PAYERS_SERIES]: benchmarkRows } : {}),
    ...Object.fromEntries(trend.payers.map((p) => [p.payerKey, p.result.rows])),
  };
  const provisional = trend.all.rows.filter((r) => r.flags.includes("provisional")).map((r) => r.month!);
  return (
    <ChartFrame
      title={`${MEASURE_NAMES[ctx.filters.measure]} by month`}
      testId="chart-trend"
      download={reportUrl("measure-summary", ctx.filters, ctx.dataAsOf, { groupBy: "month" })}
      empty={trend.all.total.denominator === 0}
      note={`Months still mostly within their ${ctx.filters.window}-day window are not plotted.${provisional.length ? " Shaded months are provisional: their claims are still arriving (90th-percentile claims lag)." : ""}`}
      table={
        <table data-testid="table-trend">
          <thead>
            <tr>
              <th scope="col">Month</th>
              {series.map((s) => (
                <th key={s.key} scope="col" className="num">
                  {s.label}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {months.map((m, i) => (
              <tr key={m}>
                <th scope="row">
                  {formatMonth(m)}
                  {provisional.includes(m) ? " (provisional)" : ""}
                </th>
                {series.map((s) => (
                  <td key={s.key} className="num">
                    {rowsOf[s.key]?.[i] ? formatRowRate(rowsOf[s.key]![i]!) : "—"}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      }
    >
      <TrendChart months={months} series={series} provisional={provisional} />
    </ChartFrame>
  );
}

async function Timing({ ctx }: { ctx: ViewContext }) {
  const t = await getScanTiming(ctx);
  const w = ctx.filters.window;
  return (
    <div className="grid-2">
      <ChartFrame
        title="Days from order to scan"
        testId="chart-days-to-scan"
        empty={t.completed.value === 0}
        note={
          t.completed.value === 0
            ? undefined
            : t.median === null
              ? `Median and 90th percentile not shown: fewer than 11 completed orders.`
              : `Median ${t.median.toFixed(1)} days, 90th percentile ${t.p90?.toFixed(1)} days, over ${formatShownCount(t.completed)} completed orders.`
        }
        table={
          <table data-testid="table-days-to-scan">
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
        <BarsChart bars={t.bins.map((b) => ({ label: b.label, value: drawableValue(b.count) }))} unit="" />
      </ChartFrame>
      <section className="panel" data-testid="open-orders">
        <h2>Orders not completed</h2>
        <dl className="cards compact">
          <div className="card">
            <dt>Overdue (window closed)</dt>
            <dd data-testid="count-overdue">{formatShownCount(t.overdue)}</dd>
          </div>
          <div className="card">
            <dt>Pending (within {w} days)</dt>
            <dd data-testid="count-in-window">{formatShownCount(t.inWindow)}</dd>
          </div>
        </dl>
        <table data-testid="table-aging">
          <caption>Days since the order, on the as-of date</caption>
          <tbody>
            {t.aging.map(({ bucket, count }) => (
              <tr key={bucket}>
                <th scope="row">{bucket === "over_180" ? "over 180 days" : `${bucket} days`}</th>
                <td className="num">{formatShownCount(count)}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {canSeeMemberLevel(ctx.viewer, "orders") ? (
          <p>
            <Link href={linkWith(ctx, "/orders")}>Work the list of open orders →</Link>
          </p>
        ) : null}
      </section>
    </div>
  );
}
