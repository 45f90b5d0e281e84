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
            <RateColumnHeads />
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
                <RateCells row={r} />
                <td>{r.flags.join(", ").replaceAll("_", " ")}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </ScrollArea>
  );
}

/** The count and rate columns' headers of a breakdown table, after its group column. */
export function RateColumnHeads({ sortedByDenominator = false }: { sortedByDenominator?: boolean }) {
  return (
    <>
      <th scope="col" className="num" aria-sort={sortedByDenominator ? "descending" : undefined}>
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
    </>
  );
}

/** A row's counts and rate as the viewer may see them (hidden ones as `<11`, `≥11`), labelled
 *  for the stacked layout of a phone. */
export function RateCells({ row }: { row: ReportableRow }) {
  return (
    <>
      <td className="num" data-label="Denominator">
        {formatHiddenCount(row.denominator, row.visibility.denominator)}
      </td>
      <td className="num" data-label="Numerator">
        {formatHiddenCount(row.numerator, row.visibility.numerator)}
      </td>
      <td className="num" data-label="Rate">
        {formatRowRate(row)}
      </td>
      <td className="num" data-label="95% interval">
        {formatInterval(row.ciLow, row.ciHigh)}
      </td>
      <td className="num" data-label="Pending">
        {formatHiddenCount(row.pending, row.visibility.pending)}
      </td>
    </>
  );
}
