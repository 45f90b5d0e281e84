import Link from "next/link";
import { connection } from "next/server";
import { filtersToSearchParams, type SearchParams } from "@/lib/filters";
import {
  directionWords,
  formatDate,
  formatHiddenCount,
  formatInterval,
  formatPeriod,
  formatPointChange,
  formatRate,
    MEASURE_NAMES,
  PRODUCT_LINE_NAMES,
  UNKNOWN_PLAN_NAME,
} from "@/lib/format";
import { MEASURE_KEYS, type ReportableRow } from "@/lib/measures";
import { getScorecard } from "@/lib/views/scorecard";
import { allPayersLabel } from "@/lib/views/trend";
import { FunnelPlot } from "../../../_components/charts/funnel-plot";
import { leftOutWords } from "../../../_components/comparison-panels";
import { EmptyWarehouse } from "../../../_components/empty-warehouse";
import { MEASURE_DEFINITIONS } from "../../../_components/measure-definitions";
import { SIGNIFICANCE_TEST } from "../../../_components/significance";
import { ScrollArea } from "../../../_components/scroll-area";
import { openPayerPage } from "../open-payer-page";
import { PrintButton } from "./print-button";
import { Sparkline } from "./sparkline";
import "../../../_components/charts/comparison.css";
import "./scorecard.css";

// The payer scorecard (SPEC section 6, issue 14): the payer page made for the payer meeting, to
// print or save as PDF (A4 or Letter, at most two pages). Every measure with its interval,
// change and trend, the plans side by side, the funnel plot of the plans, the data's as-of date
// and the payer's claims lag, and what each measure means. Suppression is always on: this is
// the page that leaves the building. The same access rules as the payer page.

export default async function ScorecardPage({ params, searchParams }: { params: Promise<{ payer: string }>; searchParams: Promise<SearchParams> }) {
  await connection();
  const { payer: payerKey } = await params;
  const query = await searchParams;
  const route = `/payers/${payerKey}/scorecard`;
  const opened = await openPayerPage(route, query, payerKey);
  if (!opened) return <EmptyWarehouse />;
  const { ctx, payer } = opened;
  const card = await getScorecard(ctx, payer.key);
  const f = ctx.filters;
  const selected = f.measure;
  const selectedPlans = f.plans.map((id) => ctx.dims.plans.find((p) => p.planId === id)).filter((p) => p !== undefined);
  const back = (() => {
    const q = filtersToSearchParams({ ...f, payers: [] }, {}, ctx.dataAsOf).toString();
    return `/payers/${payer.key}${q ? `?${q}` : ""}`;
  })();
  const planGroups = [
    ...new Map(MEASURE_KEYS.flatMap((m) => card.view.byPlan[m].rows).map((r) => [r.planId ?? "none", { key: r.planId ?? "none", name: r.planName ?? UNKNOWN_PLAN_NAME }])).values(),
  ];
  const lag = card.view.claimsLag;
  const reference = allPayersLabel(f, PRODUCT_LINE_NAMES);
  const n = (r: ReportableRow) => formatHiddenCount(r.denominator, r.visibility.denominator);
  const x = (r: ReportableRow) => formatHiddenCount(r.numerator, r.visibility.numerator);
  const leftOut = leftOutWords(card.funnel);

  return (
    <article className="scorecard" data-testid="scorecard">
      <div className="scorecard-tools">
        <Link href={back}>← {payer.name}</Link>
        <PrintButton />
        <span className="chart-note">Small numbers are hidden on this page whoever prints it: it is made to be shared with the payer.</span>
      </div>
      <header className="scorecard-head">
        <p className="scorecard-kicker">DXA Tracker · payer scorecard</p>
        <h1>
          {payer.name}
          {selectedPlans.length ? `: ${selectedPlans.map((p) => p.planName).join(", ")}` : ""}
        </h1>
        <dl className="scorecard-facts" data-testid="scorecard-facts">
          <div>
            <dt>Period</dt>
            <dd>{formatPeriod(f.from, f.to)}</dd>
          </div>
          <div>
            <dt>Compared with</dt>
            <dd>{formatPeriod(card.previous.from, card.previous.to)}</dd>
          </div>
          <div>
            <dt>Data as of</dt>
            <dd data-testid="scorecard-as-of">
              {formatDate(ctx.asOf)}
              {ctx.asOf !== ctx.dataAsOf ? ` (data complete to ${formatDate(ctx.dataAsOf)})` : ""}
            </dd>
          </div>
          <div>
            <dt>Claims lag of {payer.name}</dt>
            <dd data-testid="scorecard-claims-lag">
              {!lag ? "Data not available" : lag.medianDays === null ? "Hidden: fewer than 11 lines" : `median ${lag.medianDays.toFixed(0)} days, 90th percentile ${lag.p90Days?.toFixed(0)} days`}
            </dd>
          </div>
          <div>
            <dt>Follow-up window</dt>
            <dd>{f.window} days</dd>
          </div>
          <div>
            <dt>Product lines</dt>
            <dd>{f.productLines.length ? f.productLines.map((l) => PRODUCT_LINE_NAMES[l]).join(", ") : "All"}</dd>
          </div>
          <div>
            <dt>Small numbers</dt>
            <dd data-testid="scorecard-suppression">Suppressed: counts 1–10 shown as &lt;11</dd>
          </div>
        </dl>
      </header>

      <section aria-labelledby="sc-measures" className="scorecard-section">
        <h2 id="sc-measures">Every measure</h2>
        <ScrollArea label="Every measure">
          <table className="scorecard-table" data-testid="scorecard-measures">
            <caption>
              {payer.name}, {formatPeriod(f.from, f.to)}: rate with its 95% interval, counts, change against {formatPeriod(card.previous.from, card.previous.to)}, {reference.toLowerCase()}, goal and
              monthly trend
            </caption>
            <thead>
              <tr>
                <th scope="col">Measure</th>
                <th scope="col" className="num">
                  Rate (95% interval)
                </th>
                <th scope="col" className="num">
                  Of
                </th>
                <th scope="col" className="num">
                  Change<sup>†</sup>
                </th>
                <th scope="col" className="num">
                  {reference}
                </th>
                <th scope="col" className="num">
                  Goal
                </th>
                <th scope="col">Trend by month</th>
              </tr>
            </thead>
            <tbody>
              {card.measures.map((m, i) => (
                <tr key={m.measure} data-measure={m.measure}>
                  <th scope="row">
                    {MEASURE_NAMES[m.measure]}
                    <sup>{i + 1}</sup>
                    <span className="sc-sub">{directionWords(m.measure)}</span>
                  </th>
                  <td className="num">
                    <strong>{rateText(m.current)}</strong>
                    <span className="sc-sub">{formatInterval(m.current.ciLow, m.current.ciHigh)}</span>
                    {m.current.flags.includes("low_volume") ? <span className="sc-sub">low volume</span> : null}
                  </td>
                  <td className="num">
                    {x(m.current)} of {n(m.current)}
                  </td>
                  <td className="num">
                    {formatPointChange(m.change.difference)}
                    <span className="sc-sub" data-verdict={m.change.verdict}>
                      {m.change.verdict === "significant"
                        ? `significant (p ${m.change.test!.pValue < 0.001 ? "< 0.001" : `= ${m.change.test!.pValue.toFixed(3)}`})`
                        : m.change.verdict === "not_significant"
                          ? `not significant (p = ${m.change.test!.pValue.toFixed(2)})`
                          : `not tested: ${m.change.reason}`}
                    </span>
                  </td>
                  <td className="num">{m.benchmark ? rateText(m.benchmark) : "not shown"}</td>
                  <td className="num">{m.target ? formatRate(m.target.rate, 0) : "—"}</td>
                  <td>
                    <Sparkline months={m.months} target={m.target?.rate ?? null} name={MEASURE_NAMES[m.measure]!} />
                    <span className="sc-sub">
                      {m.months.filter((p) => p.rate !== null).length} of {m.months.length} months plotted
                    </span>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </ScrollArea>
      </section>

      <section aria-labelledby="sc-plans" className="scorecard-section">
        <h2 id="sc-plans">Plans side by side</h2>
        <ScrollArea label="Plans side by side">
          <table className="scorecard-table plans" data-testid="scorecard-plans">
            <caption>Every measure by plan of {payer.name}: rate and denominator (n)</caption>
            <thead>
              <tr>
                <th scope="col">Plan</th>
                {MEASURE_KEYS.map((m, i) => (
                  <th key={m} scope="col" className="num">
                    {MEASURE_NAMES[m]}
                    <sup>{i + 1}</sup>
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {[...planGroups, null].map((g) => (
                <tr key={g?.key ?? "total"} data-plan={g?.key ?? "total"}>
                  <th scope="row">{g ? g.name : selectedPlans.length ? "Total of the plans shown" : `All ${payer.name} plans`}</th>
                  {MEASURE_KEYS.map((m) => {
                    const r = g ? card.view.byPlan[m].rows.find((row) => (row.planId ?? "none") === g.key) : card.view.byPlan[m].total;
                    return (
                      <td key={m} className="num">
                        {r ? (
                          <>
                            {rateText(r)}
                            <span className="sc-sub">n={n(r)}</span>
                          </>
                        ) : (
                          "—"
                        )}
                      </td>
                    );
                  })}
                </tr>
              ))}
            </tbody>
          </table>
        </ScrollArea>
      </section>

      <section aria-labelledby="sc-funnel" className="scorecard-section scorecard-funnel" data-testid="scorecard-funnel">
        <h2 id="sc-funnel">
          {MEASURE_NAMES[selected]}: plans against {reference.toLowerCase()}
        </h2>
        {card.funnel.centre !== null && card.funnel.units.length > 0 ? (
          <FunnelPlot data={card.funnel} label={`${MEASURE_NAMES[selected]}: funnel plot of the plans of ${payer.name}, rate against denominator, with 95% and 99.8% limits`} testId="scorecard-funnel-plot" />
        ) : (
          <p className="not-available">Data not available: {card.funnel.centre === null ? card.funnel.centreMissing : "no plan's rate can be shown"}.</p>
        )}
        <p className="sc-note">
          Each plan&apos;s rate against its denominator, inside exact binomial limits (95% dashed, 99.8% solid) around {reference.toLowerCase()}
          {card.funnel.centre !== null ? ` (${formatRate(card.funnel.centre)})` : ""}: a plan inside the funnel differs from it no more than chance would make it.
          {leftOut ? ` ${leftOut}` : ""}
        </p>
      </section>

      <footer className="scorecard-notes" aria-labelledby="sc-notes">
        <h2 id="sc-notes">What the figures mean</h2>
        <ol className="sc-definitions">
          {MEASURE_KEYS.map((m) => (
            <li key={m} data-measure={m}>
              <strong>{MEASURE_NAMES[m]}.</strong> {MEASURE_DEFINITIONS[m].summary}
            </li>
          ))}
        </ol>
        <p>
          † {SIGNIFICANCE_TEST} Rates: numerator ÷ denominator with the 95% Wilson interval; low volume under 20. Trend: the monthly rate on a 0–100% scale, the goal dotted,
          provisional months (claims still arriving: the as-of date within the payer&apos;s 90th-percentile claims lag of the month&apos;s end) hollow; months mostly still
          within their window are not plotted. Small-cell suppression: a count from 1 to 10 reads &lt;11, a rate resting on one is hidden, and where a hidden cell could be
          worked out from a total the next smallest is hidden too; &ldquo;hidden&rdquo; marks such a rate, and a month so hidden is not plotted. Claims lag: received date − service date of original claim lines of the last 12 months.
          {card.targetProblem ? ` Goals not shown: ${card.targetProblem}.` : ""}
        </p>
      </footer>
    </article>
  );
}

/** A rate as the scorecard prints it: short, the footnote says what "hidden" means. */
function rateText(row: ReportableRow): string {
  if (row.rate === null && row.visibility.rateHidden && (row.denominator !== 0 || row.visibility.denominator !== "shown")) return "hidden";
  return row.rate === null ? "not available" : formatRate(row.rate);
}
