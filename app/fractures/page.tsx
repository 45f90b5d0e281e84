import Link from "next/link";
import { connection } from "next/server";
import { canSeeMemberLevel } from "@/lib/access";
import { filtersToSearchParams, reportUrl, type SearchParams } from "@/lib/filters";
import { formatCount, formatDate, formatPeriod, PRODUCT_LINE_NAMES, UNKNOWN_PLAN_NAME } from "@/lib/format";
import { getFractureMeasures, listOpenEpisodes } from "@/lib/views/fractures";
import { allPayersLabel, getAllPayerRate } from "@/lib/views/trend";
import { ActiveFilters } from "../_components/active-filters";
import { ChartFrame } from "../_components/charts/chart-frame";
import { RateByPayerChart } from "../_components/charts/rate-by-payer-chart";
import { DefinitionLink } from "../_components/definition-link";
import { EmptyWarehouse } from "../_components/empty-warehouse";
import { payerOptions, planOptions } from "../_components/filter-options";
import { FilterBar } from "../_components/filter-bar";
import { Notices } from "../_components/notices";
import { hasBar, payerBars } from "../_components/payer-bars";
import { payerColours } from "../_components/payer-colors";
import { RateTable } from "../_components/rate-table";
import { auditPage, pageContext } from "../_lib/request";
import { ScrollArea } from "../_components/scroll-area";

const EPISODE_LIMIT = 200;

export default async function FracturesPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  await connection();
  const params = await searchParams;
  const ctx = await pageContext("/fractures", params);
  if (!ctx) return <EmptyWarehouse />;
  const showEpisodes = canSeeMemberLevel(ctx.viewer, "episodes");
  const [{ byPayer, byPlan }, reference, episodes] = await Promise.all([
    getFractureMeasures(ctx),
    getAllPayerRate(ctx, "post_fracture"),
    showEpisodes ? listOpenEpisodes(ctx, EPISODE_LIMIT) : Promise.resolve([]),
  ]);
  if (showEpisodes) await auditPage(ctx.viewer, "member_view", "/fractures", params, episodes.length, "fracture episodes without follow-up");
  const query = filtersToSearchParams({ ...ctx.filters, measure: "post_fracture", payers: [], plans: [] }, {}, ctx.dataAsOf).toString();
  const href = (key: string) => `/payers/${key}${query ? `?${query}` : ""}`;
  const bars = payerBars(byPayer, payerColours(ctx.dims.payers.map((p) => p.key)), href);
  const overall = reference?.rate != null ? { rate: reference.rate, label: allPayersLabel(ctx.filters, PRODUCT_LINE_NAMES) } : null;
  const period = formatPeriod(ctx.filters.from, ctx.filters.to);
  return (
    <>
      <h1>Post-fracture DXA follow-up</h1>
      <ActiveFilters ctx={ctx} showWindow={false} />
      <FilterBar
        filters={ctx.filters}
        dataAsOf={ctx.dataAsOf}
        payers={payerOptions(ctx)}
        plans={planOptions(ctx)}
        showMeasure={false}
        showWindow={false}
      />
      <Notices notices={ctx.notices} />
      <p className="lede">
        Fragility fractures of members aged 50 or more (hip, spine, distal radius, osteoporotic), followed within 180 days by a DXA order or
        scan — always 180 days, whatever follow-up window is chosen for orders. Higher is better. <DefinitionLink measure="post_fracture" />
      </p>
      <ChartFrame
        title="By payer"
        testId="chart-fracture-by-payer"
        measure="post_fracture"
        download={reportUrl("measure-summary", ctx.filters, ctx.dataAsOf, { measure: "post_fracture", groupBy: "payer" }, { bom: "1" })}
        empty={!hasBar(bars)}
        note={`Bars show the rate with its 95% interval${overall ? `; the dashed line is the rate of ${overall.label.toLowerCase()}` : ""}. Select a bar to open the payer's page.`}
        table={
          <RateTable
            rows={byPayer.rows}
            total={byPayer.total}
            testId="table-fracture-by-payer"
            caption={`Post-fracture DXA follow-up by payer, ${period}`}
            groupName="Payer"
            label={(r) => r.payerName ?? "—"}
            href={(r) => (r.payerKey && r.payerKey !== "unknown" ? href(r.payerKey) : null)}
          />
        }
      >
        <RateByPayerChart label="Post-fracture DXA follow-up by payer: bar chart; each bar links to the payer's page" payers={bars} overall={overall} testId="chart-fracture-by-payer" />
      </ChartFrame>
      <section className="panel" data-testid="fracture-by-plan" aria-labelledby="fracture-by-plan-title">
        <h2 id="fracture-by-plan-title">By plan</h2>
        <RateTable
          rows={byPlan.rows}
          total={byPlan.total}
          testId="table-fracture-by-plan"
          caption={`Post-fracture DXA follow-up by plan, ${period}`}
          groupName="Payer · plan"
          label={(r) => `${r.payerName} · ${r.planName ?? UNKNOWN_PLAN_NAME}`}
          href={(r) => (r.payerKey && r.payerKey !== "unknown" && r.planId ? `/payers/${r.payerKey}?${new URLSearchParams([...new URLSearchParams(query), ["plan", r.planId]]).toString()}` : null)}
        />
      </section>
      {showEpisodes ? (
        <section className="panel" data-testid="open-episodes" aria-labelledby="open-episodes-title">
          <h2 id="open-episodes-title">
            Episodes without follow-up ({formatCount(episodes.length)}
            {episodes.length === EPISODE_LIMIT ? "+, oldest first" : ""})
          </h2>
          {episodes.length === 0 ? (
            <p className="not-available">No fracture episode of the period is waiting for follow-up.</p>
          ) : (
            <ScrollArea label="Episodes without follow-up">
              <table data-testid="table-open-episodes" className="stack-on-phone">
                <caption>Fracture episodes of the period with no DXA order or scan yet, oldest first</caption>
                <thead>
                  <tr>
                    <th scope="col">Member</th>
                    <th scope="col">Episode date</th>
                    <th scope="col" className="num">
                      Days since
                    </th>
                    <th scope="col">State</th>
                    <th scope="col">Payer</th>
                    <th scope="col">Plan</th>
                  </tr>
                </thead>
                <tbody>
                  {episodes.map((e) => (
                    <tr key={`${e.memberId}-${e.episodeDate}`}>
                      <th scope="row" data-label="Member">
                        <Link href={`/members/${encodeURIComponent(e.memberId)}${query ? `?${query}` : ""}`}>{e.memberId}</Link>
                      </th>
                      <td data-label="Episode date">{formatDate(e.episodeDate)}</td>
                      <td className="num" data-label="Days since">
                        {formatCount(e.daysSince)}
                      </td>
                      <td data-label="State">
                        <span className={`status ${e.state === "missed" ? "status-overdue" : "status-in_window"}`}>{e.state === "missed" ? "missed (180 days passed)" : "open"}</span>
                      </td>
                      <td data-label="Payer">{e.payerName}</td>
                      <td data-label="Plan">{e.planName ?? UNKNOWN_PLAN_NAME}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </ScrollArea>
          )}
        </section>
      ) : null}
    </>
  );
}
