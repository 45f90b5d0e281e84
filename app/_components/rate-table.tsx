import Link from "next/link";
import { formatHiddenCount, formatInterval, formatRowRate } from "@/lib/format";
import type { ReportableRow } from "@/lib/measures";
import { ScrollArea } from "./scroll-area";

/** A breakdown of one measure with its total: the accessible table beside every rate chart.
 *  A row's name links where the chart's mark does (a payer's page), when it has one. */
export function RateTable({
  rows,
  total,
  testId,
  caption,
  label,
  groupName = "Group",
  href,
}: {
  rows: ReportableRow[];
  total: ReportableRow;
  testId: string;
  caption: string;
  label: (r: ReportableRow) => string;
  groupName?: string;
  href?: (r: ReportableRow) => string | null;
}) {
  return (
    <ScrollArea label={caption}>
      <table data-testid={testId} className="rate-table">
        <caption>{caption}</caption>
        <thead>
          <tr>
            <th scope="col">{groupName}</th>
            <th scope="col" className="num">
              Denominator
            </th>
            <th scope="col" className="num">
              Numerator
            </th>
            <th scope="col" className="num">
              Rate
            </th>
            <th scope="col" className="num">
              95% interval
            </th>
            <th scope="col" className="num">
              Pending
            </th>
            <th scope="col">Flags</th>
          </tr>
        </thead>
        <tbody>
          {[...rows, total].map((r, i) => {
            const isTotal = i === rows.length;
            const link = !isTotal && href ? href(r) : null;
            return (
              <tr key={i} data-group={isTotal ? "total" : (r.planId ?? r.payerKey ?? r.month ?? r.productLine ?? "unattributed")}>
                <th scope="row">{isTotal ? "All" : link ? <Link href={link}>{label(r)}</Link> : label(r)}</th>
                <td className="num">{formatHiddenCount(r.denominator, r.visibility.denominator)}</td>
                <td className="num">{formatHiddenCount(r.numerator, r.visibility.numerator)}</td>
                <td className="num">{formatRowRate(r)}</td>
                <td className="num">{formatInterval(r.ciLow, r.ciHigh)}</td>
                <td className="num">{formatHiddenCount(r.pending, r.visibility.pending)}</td>
                <td>{r.flags.join(", ").replaceAll("_", " ")}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </ScrollArea>
  );
}
