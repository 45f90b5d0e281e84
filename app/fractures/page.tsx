import { connection } from "next/server";
import { canSeeMemberLevel } from "@/lib/access";
import { filtersToSearchParams, reportUrl, type SearchParams } from "@/lib/filters";
import { formatCount, formatDate } from "@/lib/format";
import { getFractureMeasures, listOpenEpisodes } from "@/lib/views/fractures";
import { ActiveFilters } from "../_components/active-filters";
import { ChartFrame } from "../_components/charts/chart-frame";
import { RateByPayerChart } from "../_components/charts/rate-by-payer-chart";
import { EmptyWarehouse } from "../_components/empty-warehouse";
import { FilterBar } from "../_components/filter-bar";
import { Notices } from "../_components/notices";
import { payerBars } from "../_components/payer-bars";
import { RateTable } from "../_components/rate-table";
import { auditPage, pageContext } from "../_lib/request";

export default async function FracturesPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  await connection();
  const params = await searchParams;
  const ctx = await pageContext("/fractures", params);
  if (!ctx) return <EmptyWarehouse />;
  const showEpisodes = canSeeMemberLevel(ctx.viewer, "episodes");
  const [{ byPayer, byPlan }, episodes] = await Promise.all([getFractureMeasures(ctx), showEpisodes ? listOpenEpisodes(ctx) : Promise.resolve([])]);
  if (showEpisodes) await auditPage(ctx.viewer, "member_view", "/fractures", params, episodes.length, "fracture episodes without follow-up");
  const query = filtersToSearchParams({ ...ctx.filters, measure: "post_fracture" }, {}, ctx.dataAsOf).toString();
  return (
    <>
      <h1>Post-fracture DXA follow-up</h1>
      <ActiveFilters ctx={ctx} />
      <FilterBar filters={ctx.filters} dataAsOf={ctx.dataAsOf} payers={ctx.dims.payers.map((p) => ({ key: p.key, name: p.name }))}
        plans={ctx.dims.plans.map((p) => ({ key: p.planId, name: p.planName, payerKey: p.payerKey }))} showMeasure={false} />
      <Notices notices={ctx.notices} />
      <p className="lede">
        Fragility fractures of members aged 50 or more (hip, spine, distal radius, osteoporotic), followed within 180 days by a DXA order or
        scan. Higher is better.
      </p>
      <div className="grid-2">
        <ChartFrame
          title="By payer"
          testId="chart-fracture-by-payer"
          download={reportUrl("measure-summary", ctx.filters, ctx.dataAsOf, { measure: "post_fracture", groupBy: "payer" })}
          empty={byPayer.total.denominator === 0}
          table={<RateTable rows={byPayer.rows} total={byPayer.total} testId="table-fracture-by-payer" label={(r) => r.payerName ?? "—"} />}
        >
          <RateByPayerChart
            overall={byPayer.total.rate}
            payers={payerBars(byPayer, (key) => `/payers/${key}?${query}`)}
          />
        </ChartFrame>
        <section className="panel" data-testid="fracture-by-plan">
          <h2>By plan</h2>
          <RateTable rows={byPlan.rows} total={byPlan.total} testId="table-fracture-by-plan" label={(r) => `${r.payerName} · ${r.planName ?? "no plan attributed"}`} />
        </section>
      </div>
      {showEpisodes ? (
      <section className="panel" data-testid="open-episodes">
        <h2>Episodes without follow-up ({formatCount(episodes.length)}{episodes.length === 200 ? "+, oldest first" : ""})</h2>
        {episodes.length === 0 ? (
          <p className="not-available">No fracture episode of the period is waiting for follow-up.</p>
        ) : (
          <div className="table-scroll">
            <table data-testid="table-open-episodes">
              <thead>
                <tr>
                  <th scope="col">Member</th>
                  <th scope="col">Episode date</th>
                  <th scope="col" className="num">Days since</th>
                  <th scope="col">State</th>
                  <th scope="col">Payer</th>
                  <th scope="col">Plan</th>
                </tr>
              </thead>
              <tbody>
                {episodes.map((e) => (
                  <tr key={`${e.memberId}-${e.episodeDate}`}>
                    <td>{e.memberId}</td>
                    <td>{formatDate(e.episodeDate)}</td>
                    <td className="num">{formatCount(e.daysSince)}</td>
                    <td>
                      <span className={`status ${e.state === "missed" ? "status-overdue" : "status-in_window"}`}>
                        {e.state === "missed" ? "missed (180 days passed)" : "open"}
                      </span>
                    </td>
                    <td>{e.payerName}</td>
                    <td>{e.planName ?? "No plan attributed"}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      ) : null}
    </>
  );
}
