import { formatHiddenCount, formatInterval, formatRowRate } from "@/lib/format";
import type { ReportableRow } from "@/lib/measures";

/** A breakdown of one measure with its total: the accessible table beside every rate chart. */
export function RateTable({ rows, total, testId, label }: { rows: ReportableRow[]; total: ReportableRow; testId: string; label: (r: ReportableRow) => string }) {
  return (
    <div className="table-scroll">
    <table data-testid={testId}>
      <thead>
        <tr>
          <th scope="col">Group</th>
          <th scope="col" className="num">Denominator</th>
          <th scope="col" className="num">Numerator</th>
          <th scope="col" className="num">Rate</th>
          <th scope="col" className="num">95% CI</th>
          <th scope="col" className="num">Pending</th>
          <th scope="col">Flags</th>
        </tr>
      </thead>
      <tbody>
        {[...rows, total].map((r, i) => (
          <tr key={i} data-group={i === rows.length ? "total" : (r.planId ?? r.payerKey ?? r.month ?? r.productLine ?? "unattributed")}>
            <th scope="row">{i === rows.length ? "All" : label(r)}</th>
            <td className="num">{formatHiddenCount(r.denominator, r.visibility.denominator)}</td>
            <td className="num">{formatHiddenCount(r.numerator, r.visibility.numerator)}</td>
            <td className="num">{formatRowRate(r)}</td>
            <td className="num">{formatInterval(r.ciLow, r.ciHigh)}</td>
            <td className="num">{formatHiddenCount(r.pending, r.visibility.pending)}</td>
            <td>{r.flags.join(", ").replaceAll("_", " ")}</td>
          </tr>
        ))}
      </tbody>
    </table>
    </div>
  );
}
