import Link from "next/link";
import { formatCount, MEASURE_NAMES } from "@/lib/format";
import { NO_NPI_LABEL, ORDERING_NPI_MEASURES, type OrderingNpiMeasure } from "@/lib/measures";
import type { ViewContext } from "@/lib/views/context";
import { getOrderingNpiView, type OrderingNpiView } from "@/lib/views/ordering-npi";
import { DefinitionLink } from "../_components/definition-link";
import { RateCells, RateColumnHeads } from "../_components/rate-table";
import { ScrollArea } from "../_components/scroll-area";
import "./ordering-npi.css";

const SHORT_NAMES: Record<OrderingNpiMeasure, string> = {
  order_follow_up: "Follow-up",
  result_documented: "Result documented",
  order_capture: "3096F capture",
};

const FLAG_NAMES: Record<string, string> = { low_volume: "low volume", suppressed: "small cells hidden", not_available: "not available" };

type Links = { measureHref: (measure: OrderingNpiMeasure) => string; npiHref: (npi: string) => string; narrowedTo: string | null };

/** The section as the page streams it (inside its own Suspense): its count reads every order of
 *  the period (lib/measures/ordering-npi.ts), so the worklist above does not wait for it. */
export async function OrderingNpiSection({ ctx, ...links }: { ctx: ViewContext } & Links) {
  const view = await getOrderingNpiView(ctx, links.narrowedTo);
  return <OrderingNpiTable view={view} {...links} />;
}

/** Rates of the chosen order-based measure by ordering clinician (NPI), largest denominator
 *  first; each NPI opens the worklist narrowed to it. Stacks into labelled lines on a phone. */
export function OrderingNpiTable({
  view,
  measureHref,
  npiHref,
  narrowedTo,
}: { view: OrderingNpiView } & Links) {
  const { result, rows, measure } = view;
  const total = result.total;
  const listed = rows.filter((r) => r.orderingNpi !== null).length;
  const caption = `${MEASURE_NAMES[measure]} by ordering clinician (NPI), largest denominator first${view.more > 0 ? `: ${formatCount(listed)} of ${formatCount(listed + view.more)} NPIs` : ""}`;
  return (
    <section className="panel npi-rates" data-testid="npi-rates" aria-labelledby="npi-rates-title">
      <div className="panel-heading">
        <h2 id="npi-rates-title">Who orders: rates by ordering clinician</h2>
        <DefinitionLink measure={measure} />
      </div>
      <nav className="measure-switch" aria-label="Measure by ordering clinician">
        {ORDERING_NPI_MEASURES.map((m) => (
          <Link key={m} href={measureHref(m)} aria-current={m === measure ? "page" : undefined} data-testid={`npi-measure-${m}`}>
            {SHORT_NAMES[m]}
          </Link>
        ))}
      </nav>
      {view.notice ? (
        <p className="notice" role="status" data-testid="npi-notice">
          {view.notice}
        </p>
      ) : null}
      <p className="chart-note">
        The same filters as the list below (period, payers, plans, product lines{measure === "order_capture" ? "" : `, the ${result.query.window}-day window`}). A
        claim-sourced order counts under the NPI that billed its 3096F line. Under 20 in the denominator is flagged low volume.{" "}
        <a href={view.csvUrl} data-testid="npi-csv">
          Download every NPI as CSV
        </a>
      </p>
      {rows.length === 0 ? (
        <p className="not-available">No order in this period for these filters.</p>
      ) : (
        <ScrollArea label="Rates by ordering clinician">
          <table data-testid="table-npi-rates" className="rate-table stack-on-phone npi-table">
            <caption>{caption}</caption>
            <thead>
              <tr>
                <th scope="col">Ordering NPI</th>
                <RateColumnHeads sortedByDenominator />
                <th scope="col">Flags</th>
              </tr>
            </thead>
            <tbody>
              {[...rows, { ...total, npiValid: null }].map((r, i) => {
                const isTotal = i === rows.length;
                const npi = r.orderingNpi ?? null;
                return (
                  <tr
                    key={isTotal ? "total" : (npi ?? "none")}
                    data-npi={isTotal ? "total" : (npi ?? "none")}
                    aria-current={npi !== null && npi === narrowedTo ? "true" : undefined}
                  >
                    <th scope="row" data-label="Ordering NPI">
                      {isTotal ? (
                        "All orders"
                      ) : npi === null ? (
                        NO_NPI_LABEL
                      ) : r.npiValid ? (
                        <Link href={npiHref(npi)} title={`The open orders of NPI ${npi}`}>
                          {npi}
                        </Link>
                      ) : (
                        <span>
                          {npi} <span className="npi-invalid">(not a valid NPI: its check digit is wrong)</span>
                        </span>
                      )}
                    </th>
                    <RateCells row={r} />
                    <td data-label="Flags">
                      {r.flags.length === 0
                        ? "—"
                        : r.flags.map((f) => (
                            <span key={f} className={`flag flag-${f}`}>
                              {FLAG_NAMES[f] ?? f.replaceAll("_", " ")}{" "}
                            </span>
                          ))}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </ScrollArea>
      )}
      {view.more > 0 ? (
        <p className="chart-note" data-testid="npi-more">
          And {formatCount(view.more)} more NPIs, none with a larger denominator: every one is in the CSV.
        </p>
      ) : null}
    </section>
  );
}
