import Link from "next/link";
import { connection } from "next/server";
import { canSeeMemberLevel } from "@/lib/access";
import { filtersToSearchParams, reportUrl, type Filters, type SearchParams } from "@/lib/filters";
import { directionWords, formatHiddenCount, formatInterval, formatMonth, formatRate, formatRateWithN, formatRowRate, MEASURE_NAMES, PRODUCT_LINE_NAMES, UNKNOWN_PLAN_NAME } from "@/lib/format";
import { MEASURE_KEYS, type ReportableRow } from "@/lib/measures";
import { measureWindowDays } from "@/lib/reports/measure-summary";
import { getPayerView, type PayerClaimsLag, type PayerDenialShare } from "@/lib/views/payer";
import { allPayersLabel, hasPlottedPoint, provisionalMonths, trendPoint } from "@/lib/views/trend";
import { ActiveFilters } from "../../_components/active-filters";
import { ChartFrame } from "../../_components/charts/chart-frame";
import { TrendChart } from "../../_components/charts/trend-chart";
import { EmptyWarehouse } from "../../_components/empty-warehouse";
import { FilterBar } from "../../_components/filter-bar";
import { Notices } from "../../_components/notices";
import { ALL_PAYERS_COLOUR, ALL_PAYERS_SERIES, payerColours } from "../../_components/payer-colors";
import { ScrollArea } from "../../_components/scroll-area";
import { FunnelPanel, SpcPanel } from "../../_components/comparison-panels";
import { getPlanFunnel, getSpcChart, targetOf } from "@/lib/views/comparison-data";
import { openPayerPage } from "./open-payer-page";

export default async function PayerPage({ params, searchParams }: { params: Promise<{ payer: string }>; searchParams: Promise<SearchParams> }) {
  await connection();
  const { payer: payerKey } = await params;
  const query = await searchParams;
  const route = `/payers/${payerKey}`;
  const opened = await openPayerPage(route, query, payerKey);
  if (!opened) return <EmptyWarehouse />;
  const { ctx, payer } = opened;
  const [view, planFunnel, spc] = await Promise.all([getPayerView(ctx, payer.key), getPlanFunnel(ctx, payer.key), getSpcChart(ctx, payer.key)]);
  // The plans of every measure's rows, matched by plan id: measures may differ in whether they
  // have an unattributed row ("none"), so rows are never matched by position.
  const planGroups = [
    ...new Map(
      MEASURE_KEYS.flatMap((m) => view.byPlan[m].rows).map((r) => [r.planId ?? "none", { key: r.planId ?? "none", name: r.planName ?? UNKNOWN_PLAN_NAME, planId: r.planId }]),
    ).values(),
  ];
  const colour = payerColours(ctx.dims.payers.map((p) => p.key))[payer.key] ?? "#8C8C8C";
  const benchmark = view.trend.benchmark.available ? view.trend.benchmark.result.rows : null;
  const months = view.trend.payer.rows.map((r) => r.month!);
  const provisional = provisionalMonths(view.trend.payer.rows);
  const scoped: Filters = { ...ctx.filters, payers: [payer.key] };
  const selected = ctx.filters.measure;
  const selectedPlans = ctx.filters.plans.map((id) => ctx.dims.plans.find((p) => p.planId === id)).filter((p) => p !== undefined);
  const subject = selectedPlans.length === 1 ? selectedPlans[0]!.planName : selectedPlans.length > 1 ? `${payer.name} (${selectedPlans.length} plans)` : payer.name;
  const link = (path: string, overrides: Partial<Filters> = {}) => {
    const q = filtersToSearchParams(scoped, overrides, ctx.dataAsOf);
    if (path !== "/orders") q.delete("payer");
    const text = q.toString();
    return text ? `${path}?${text}` : path;
  };
  const overviewLink = (() => {
    const q = filtersToSearchParams({ ...ctx.filters, plans: [] }, {}, ctx.dataAsOf).toString();
    return q ? `/?${q}` : "/";
  })();
  const reference = allPayersLabel(ctx.filters, PRODUCT_LINE_NAMES);
  const n = (r: ReportableRow) => formatHiddenCount(r.denominator, r.visibility.denominator);
  const payerPoints = view.trend.payer.rows.map((r) => ({ ...trendPoint(r), n: n(r) }));
  const windowDays = measureWindowDays(selected, ctx.filters.window);
  const worklist = canSeeMemberLevel(ctx.viewer, "orders");

  return (
    <>
      <nav aria-label="Breadcrumb" className="breadcrumb">
        <ol>
          <li>
            <Link href={overviewLink}>Overview</Link>
          </li>
          <li>{selectedPlans.length ? <Link href={link(route, { plans: [] })}>{payer.name}</Link> : <span aria-current="page">{payer.name}</span>}</li>
          {selectedPlans.length ? (
            <li>
              <span aria-current="page">{subject}</span>
            </li>
          ) : null}
        </ol>
      </nav>
      <h1>{subject}</h1>
      <p className="payer-actions">
        <Link href={link(`${route}/scorecard`)} data-testid="scorecard-link">
          Scorecard for the payer meeting (print or save as PDF) →
        </Link>
      </p>
      <ActiveFilters ctx={{ ...ctx, filters: scoped }} />
      <FilterBar
        filters={scoped}
        dataAsOf={ctx.dataAsOf}
        payers={[]}
        plans={ctx.dims.plans.filter((p) => p.payerKey === payer.key).map((p) => ({ key: p.planId, name: p.planName, payerKey: p.payerKey }))}
        showPayer={false}
      />
      <Notices notices={ctx.notices} />

      <section className="panel" data-testid="payer-plans" aria-labelledby="plans-title">
        <div className="panel-heading">
          <h2 id="plans-title">Plans side by side</h2>
          <Link href="/help/measures" className="definition-link">
            Definitions
          </Link>
        </div>
        <p className="chart-note">Rate, 95% interval and denominator (n) of each measure; higher is better, except for {MEASURE_NAMES.cms249_dxa_overuse}, where lower is better. Low volume: fewer than 20 in the denominator. Select a plan to see it alone.</p>
        <ScrollArea label="Plans side by side">
          <table data-testid="table-payer-plans" className="plans-table stack-on-phone">
            <caption>Every measure by plan of {payer.name}</caption>
            <thead>
              <tr>
                <th scope="col">Plan</th>
                {MEASURE_KEYS.map((m) => (
                  <th key={m} scope="col" className={`num${m === selected ? " selected-col" : ""}`}>
                    {MEASURE_NAMES[m]}
                    <span className="cell-detail">{directionWords(m).toLowerCase()}</span>
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {[...planGroups.map((g) => g.key), "total"].map((groupKey) => {
                const group = planGroups.find((g) => g.key === groupKey);
                const isSelected = group?.planId != null && ctx.filters.plans.includes(group.planId);
                return (
                  <tr key={groupKey} data-plan={groupKey} className={isSelected ? "selected-row" : undefined}>
                    <th scope="row">
                      {group ? (
                        group.planId ? (
                          <Link href={link(route, { plans: [group.planId] })} aria-current={isSelected ? "page" : undefined} data-testid={`plan-link-${group.planId}`}>
                            {group.name}
                          </Link>
                        ) : (
                          group.name
                        )
                      ) : (
                        selectedPlans.length ? "Total of the plans shown" : `All ${payer.name} plans`
                      )}
                    </th>
                    {MEASURE_KEYS.map((m) => {
                      const r = group ? view.byPlan[m].rows.find((row) => (row.planId ?? "none") === groupKey) : view.byPlan[m].total;
                      if (!r)
                        return (
                          <td key={m} className="num" data-measure={m} data-label={MEASURE_NAMES[m]}>
                            —
                          </td>
                        );
                      return (
                        <td key={m} className="num" data-measure={m} data-label={MEASURE_NAMES[m]}>
                          <span className="cell-rate">{formatRowRate(r)}</span>
                          <span className="cell-detail">
                            {formatInterval(r.ciLow, r.ciHigh)} · n={formatHiddenCount(r.denominator, r.visibility.denominator)}
                          </span>
                          {r.flags.includes("low_volume") ? <span className="flag">low volume</span> : null}
                        </td>
                      );
                    })}
                  </tr>
                );
              })}
            </tbody>
          </table>
        </ScrollArea>
        <p className="panel-actions">
          <a className="download secondary small" href={reportUrl("measure-summary", scoped, ctx.dataAsOf, { groupBy: "plan" }, { bom: "1" })} data-testid="payer-plans-csv">
            Download CSV<span className="visually-hidden"> of the plans of {payer.name}</span>
          </a>
          {worklist ? (
            <Link href={link("/orders")} data-testid="payer-worklist-link">
              Orders of {subject} not scanned →
            </Link>
          ) : null}
        </p>
      </section>

      <ChartFrame
        title={`${MEASURE_NAMES[selected]}: ${subject} against ${reference.toLowerCase()}`}
        testId="chart-payer-trend"
        measure={selected}
        download={reportUrl("measure-summary", scoped, ctx.dataAsOf, { groupBy: "month" }, { series: "payer", bom: "1" })}
        empty={!hasPlottedPoint([payerPoints])}
        emptyReason={
          view.trend.payer.total.denominator !== 0 || (view.trend.payer.total.pending ?? 0) > 0
            ? `No month of ${subject} has a rate to plot: a month is plotted once more of it is counted than pending, and rates resting on small numbers may be hidden. The table lists every month.`
            : undefined
        }
        note={`The band is the 95% interval of ${subject}; the dashed line is ${reference.toLowerCase()}, every plan of every payer. ${
          windowDays === null ? "" : `Months still mostly within their ${windowDays}-day window are not plotted. `
        }Hollow points rest on fewer than 20. ${directionWords(selected)}.`}
        table={
          <ScrollArea label="Rates by month">
            <table data-testid="table-payer-trend">
              <caption>
                {MEASURE_NAMES[selected]} by month: {subject} and {reference.toLowerCase()}, rate and denominator (n)
              </caption>
              <thead>
                <tr>
                  <th scope="col">Month</th>
                  <th scope="col" className="num" data-series={payer.key}>
                    {subject}
                  </th>
                  {benchmark ? (
                    <th scope="col" className="num" data-series={ALL_PAYERS_SERIES}>
                      {reference}
                    </th>
                  ) : null}
                </tr>
              </thead>
              <tbody>
                {months.map((m, i) => (
                  <tr key={m} data-month={m}>
                    <th scope="row">
                      {formatMonth(m)}
                      {provisional.includes(m) ? " (provisional)" : ""}
                    </th>
                    <td className="num">{view.trend.payer.rows[i] ? formatRateWithN(view.trend.payer.rows[i]!) : "—"}</td>
                    {benchmark ? <td className="num">{benchmark[i] ? formatRateWithN(benchmark[i]!) : "—"}</td> : null}
                  </tr>
                ))}
              </tbody>
            </table>
          </ScrollArea>
        }
      >
        <TrendChart
          label={`${MEASURE_NAMES[selected]} by month: line chart of ${subject} and ${reference.toLowerCase()}`}
          months={months}
          provisional={provisional}
          xTitle={selected === "post_fracture" ? "Month of the episode date" : selected === "screening_ordering" ? "12 months ending with the month" : "Month of the order date"}
          testId="chart-payer-trend"
          goal={targetOf(selected).target}
          lines={[
            { key: payer.key, label: subject, colour, band: true, points: payerPoints },
            ...(benchmark ? [{ key: ALL_PAYERS_SERIES, label: reference, colour: ALL_PAYERS_COLOUR, dashed: true, points: benchmark.map((r) => ({ ...trendPoint(r), n: n(r) })) }] : []),
          ]}
        />
      </ChartFrame>

      <div className="grid-2">
        <FunnelPanel
          data={planFunnel}
          title={`${MEASURE_NAMES[selected]}: plans of ${payer.name} compared fairly`}
          testId="chart-plan-funnel"
          measure={selected}
          unitWord="Plan"
          targetProblem={targetOf(selected).problem}
        />
        <SpcPanel data={spc} title={`${MEASURE_NAMES[selected]}: ${subject}, control chart`} testId="chart-payer-spc" measure={selected} subject={subject} />
      </div>

      <dl className="cards">
        <div className="card" data-testid="payer-claims-lag">
          <dt>Claims lag (received − service)</dt>
          <dd>{claimsLagText(view.claimsLag)}</dd>
          {view.claimsLag ? (
            <dd className="headline-detail">
              {view.claimsLag.p90Days === null ? "" : `median; 90th percentile ${view.claimsLag.p90Days.toFixed(0)} days, `}over{" "}
              {formatHiddenCount(view.claimsLag.lines, view.claimsLag.linesVisibility)} original claim lines of {payer.name} in the 12 months to the as-of date
            </dd>
          ) : null}
        </div>
        <div className="card" data-testid="payer-denial-share">
          <dt>Denied DXA lines</dt>
          <dd>{denialShareText(view.denial)}</dd>
          {view.denial ? (
            <dd className="headline-detail">
              {formatHiddenCount(view.denial.denied, view.denial.visibility.denied)} of {formatHiddenCount(view.denial.lines, view.denial.visibility.lines)} central
              DXA lines of {subject} in the period
            </dd>
          ) : null}
        </div>
      </dl>
    </>
  );
}

function claimsLagText(lag: PayerClaimsLag | null): string {
  if (!lag) return "Data not available";
  return lag.medianDays === null ? "Hidden: fewer than 11 lines" : `${lag.medianDays.toFixed(0)} days`;
}

function denialShareText(denial: PayerDenialShare | null): string {
  if (denial?.share != null) return formatRate(denial.share);
  return denial?.visibility.shareHidden ? "Hidden: small numbers" : "Data not available";
}
