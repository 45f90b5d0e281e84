import Link from "next/link";
import { notFound } from "next/navigation";
import { connection } from "next/server";
import { AccessDeniedError, canSeeMemberLevel } from "@/lib/access";
import { filtersToSearchParams, reportUrl, type SearchParams } from "@/lib/filters";
import { formatHiddenCount, formatInterval, formatMonth, formatRate, formatRowRate, MEASURE_NAMES } from "@/lib/format";
import { MEASURE_KEYS } from "@/lib/measures";
import { assertPayerInScope } from "@/lib/views/context";
import { getPayerView, type PayerClaimsLag, type PayerDenialShare } from "@/lib/views/payer";
import { plottedRate } from "@/lib/views/trend";
import { ActiveFilters } from "../../_components/active-filters";
import { ChartFrame } from "../../_components/charts/chart-frame";
import { TrendChart } from "../../_components/charts/trend-chart";
import { EmptyWarehouse } from "../../_components/empty-warehouse";
import { FilterBar } from "../../_components/filter-bar";
import { Notices } from "../../_components/notices";
import { ALL_PAYERS_COLOUR, ALL_PAYERS_SERIES, payerColours } from "../../_components/payer-colors";
import { denyPage, pageContext } from "../../_lib/request";

export default async function PayerPage({ params, searchParams }: { params: Promise<{ payer: string }>; searchParams: Promise<SearchParams> }) {
  await connection();
  const { payer: payerKey } = await params;
  const query = await searchParams;
  const route = `/payers/${payerKey}`;
  const ctx = await pageContext(route, query);
  if (!ctx) return <EmptyWarehouse />;
  try {
    // Before anything else: a payer outside the viewer's assignment is refused, whether or
    // not it exists (its existence is not theirs to learn).
    assertPayerInScope(ctx.viewer, payerKey);
  } catch (error) {
    if (error instanceof AccessDeniedError) return denyPage(ctx.viewer, route, query, error);
    throw error;
  }
  const payer = ctx.dims.payers.find((p) => p.key === payerKey);
  if (!payer) notFound();
  const view = await getPayerView(ctx, payer.key);
  // The plans of every measure's rows, matched by plan id: measures may differ in whether they
  // have an unattributed row ("none"), so rows are never matched by position.
  const planGroups = [
    ...new Map(
      MEASURE_KEYS.flatMap((m) => view.byPlan[m].rows).map((r) => [r.planId ?? "none", { key: r.planId ?? "none", name: r.planName ?? "No plan attributed" }]),
    ).values(),
  ];
  const colour = payerColours(ctx.dims.payers.map((p) => p.key))[payer.key]!;
  const benchmark = view.trend.benchmark.available ? view.trend.benchmark.result.rows : null;
  const months = view.trend.payer.rows.map((r) => r.month!);
  const provisional = view.trend.payer.rows.filter((r) => r.flags.includes("provisional")).map((r) => r.month!);
  const payerQuery = filtersToSearchParams({ ...ctx.filters, payers: [payer.key] }, {}, ctx.dataAsOf).toString();
  const selected = ctx.filters.measure;

  return (
    <>
      <p className="breadcrumb">
        <Link href={`/?${filtersToSearchParams(ctx.filters, {}, ctx.dataAsOf).toString()}`}>Overview</Link> › {payer.name}
      </p>
      <h1>{payer.name}</h1>
      <ActiveFilters ctx={{ ...ctx, filters: { ...ctx.filters, payers: [payer.key] } }} />
      <FilterBar
        filters={{ ...ctx.filters, payers: [payer.key] }}
        dataAsOf={ctx.dataAsOf}
        payers={[]}
        plans={ctx.dims.plans.filter((p) => p.payerKey === payer.key).map((p) => ({ key: p.planId, name: p.planName, payerKey: p.payerKey }))}
        showPayer={false}
      />
      <Notices notices={ctx.notices} />

      <section className="panel" data-testid="payer-plans">
        <h2>Plans side by side</h2>
        <p className="chart-note">Rate (95% interval) and denominator of each measure; higher is better. Low volume: fewer than 20 in the denominator.</p>
        <div className="table-scroll">
          <table data-testid="table-payer-plans">
            <thead>
              <tr>
                <th scope="col">Plan</th>
                {MEASURE_KEYS.map((m) => (
                  <th key={m} scope="col" className={`num${m === selected ? " selected-col" : ""}`}>
                    {MEASURE_NAMES[m]}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {[...planGroups.map((g) => g.key), "total"].map((groupKey) => {
                const group = planGroups.find((g) => g.key === groupKey);
                return (
                  <tr key={groupKey} data-plan={groupKey}>
                    <th scope="row">{group ? group.name : `All ${payer.name} plans`}</th>
                    {MEASURE_KEYS.map((m) => {
                      const r = group ? view.byPlan[m].rows.find((row) => (row.planId ?? "none") === groupKey) : view.byPlan[m].total;
                      if (!r) return <td key={m} className="num" data-measure={m}>—</td>;
                      return (
                        <td key={m} className="num" data-measure={m}>
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
        </div>
        <p>
          <a className="download secondary small" href={reportUrl("measure-summary", { ...ctx.filters, payers: [payer.key] }, ctx.dataAsOf, { groupBy: "plan" })} data-testid="payer-plans-csv">
            Download CSV
          </a>{" "}
          {canSeeMemberLevel(ctx.viewer, "orders") ? (
            <Link href={`/orders?${payerQuery}`} data-testid="payer-worklist-link">
              Open orders of {payer.name} →
            </Link>
          ) : null}
        </p>
      </section>

      <ChartFrame
        title={`${MEASURE_NAMES[selected]}: ${payer.name} against all payers`}
        testId="chart-payer-trend"
        download={reportUrl("measure-summary", { ...ctx.filters, payers: [payer.key] }, ctx.dataAsOf, { groupBy: "month" })}
        empty={view.trend.payer.total.denominator === 0}
        table={
          <table>
            <thead>
              <tr>
                <th scope="col">Month</th>
                <th scope="col" className="num">{payer.name}</th>
                {benchmark ? <th scope="col" className="num">All payers</th> : null}
              </tr>
            </thead>
            <tbody>
              {months.map((m, i) => (
                <tr key={m}>
                  <th scope="row">{formatMonth(m)}{provisional.includes(m) ? " (provisional)" : ""}</th>
                  <td className="num">{view.trend.payer.rows[i] ? formatRowRate(view.trend.payer.rows[i]!) : "—"}</td>
                  {benchmark ? <td className="num">{benchmark[i] ? formatRowRate(benchmark[i]!) : "—"}</td> : null}
                </tr>
              ))}
            </tbody>
          </table>
        }
      >
        <TrendChart
          months={months}
          provisional={provisional}
          series={[
            { key: payer.key, label: payer.name, colour, points: view.trend.payer.rows.map(plottedRate) },
            ...(benchmark ? [{ key: ALL_PAYERS_SERIES, label: "All payers", colour: ALL_PAYERS_COLOUR, dashed: true, points: benchmark.map(plottedRate) }] : []),
          ]}
        />
      </ChartFrame>

      <dl className="cards">
        <div className="card" data-testid="payer-claims-lag">
          <dt>Claims lag (received − service)</dt>
          <dd>{claimsLagText(view.claimsLag)}</dd>
          {view.claimsLag ? (
            <p className="headline-detail">
              {view.claimsLag.p90Days === null ? "" : `median; 90th percentile ${view.claimsLag.p90Days.toFixed(0)} days, `}over{" "}
              {formatHiddenCount(view.claimsLag.lines, view.claimsLag.linesVisibility)} lines
            </p>
          ) : null}
        </div>
        <div className="card" data-testid="payer-denial-share">
          <dt>Denied DXA lines</dt>
          <dd>{denialShareText(view.denial)}</dd>
          {view.denial ? (
            <p className="headline-detail">
              {formatHiddenCount(view.denial.denied, view.denial.visibility.denied)} of {formatHiddenCount(view.denial.lines, view.denial.visibility.lines)} central
              DXA lines in the period
            </p>
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
