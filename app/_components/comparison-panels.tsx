import { formatCount, formatMonth, formatRate } from "@/lib/format";
import type { MeasureKey } from "@/lib/measures/types";
import type { FunnelPlotData, SpcChartData } from "@/lib/views/comparison";
import { ChartFrame } from "./charts/chart-frame";
import { FunnelPlot, POSITION_WORDS } from "./charts/funnel-plot";
import { SpcChart, spcMonthWords } from "./charts/spc-chart";
import { ScrollArea } from "./scroll-area";

// The funnel plot and the control chart in their frames (issue 14), as the overview and the
// payer page show them: how to read each, what was left out and why, and the table of the same
// numbers.

/** Who was left out of a funnel plot, in a sentence. */
export function leftOutWords(data: FunnelPlotData): string | null {
  const hidden = data.leftOut.filter((u) => u.reason === "hidden").map((u) => u.name);
  const empty = data.leftOut.filter((u) => u.reason === "no_data").map((u) => u.name);
  const parts = [
    hidden.length ? `Not plotted, their counts hidden (small numbers): ${hidden.join(", ")}.` : null,
    empty.length ? `Nothing to count: ${empty.join(", ")}.` : null,
  ].filter(Boolean);
  return parts.length ? parts.join(" ") : null;
}

export function FunnelPanel({
  data,
  title,
  testId,
  measure,
  unitWord,
  targetProblem,
}: {
  data: FunnelPlotData;
  title: string;
  testId: string;
  measure: MeasureKey;
  /** "Payer" or "Plan". */
  unitWord: string;
  targetProblem: string | null;
}) {
  const leftOut = leftOutWords(data);
  return (
    <ChartFrame
      title={title}
      testId={testId}
      measure={measure}
      empty={data.units.length === 0 || data.centre === null}
      emptyReason={
        data.centre === null
          ? `No funnel to draw: ${data.centreMissing}.`
          : data.leftOut.some((u) => u.reason === "hidden")
            ? "Every rate here rests on small numbers and is hidden: nothing is plotted."
            : undefined
      }
      note={
        <>
          Each {unitWord.toLowerCase()}&apos;s rate against its denominator. Inside the funnel a rate differs from {data.centreLabel.toLowerCase()}
          {data.centre !== null ? ` (${formatRate(data.centre)})` : ""} no more than chance would make it; beyond the 95% limits is worth a look, beyond 99.8% a
          signal (exact binomial limits).{data.target ? ` The dotted green line is the ${data.target.label.toLowerCase()}, ${formatRate(data.target.rate)}.` : ""}
          {leftOut ? <span data-testid={`${testId}-left-out`}> {leftOut}</span> : null}
          {targetProblem ? <span className="field-error"> Targets not drawn: {targetProblem}</span> : null}
        </>
      }
      table={
        <ScrollArea label={title}>
          <table data-testid={`${testId}-table`}>
            <caption>
              {title}: each {unitWord.toLowerCase()} against the funnel limits
            </caption>
            <thead>
              <tr>
                <th scope="col">{unitWord}</th>
                <th scope="col" className="num">
                  Rate
                </th>
                <th scope="col" className="num">
                  Numerator of denominator
                </th>
                <th scope="col">Against the limits</th>
              </tr>
            </thead>
            <tbody>
              {data.units.map((u) => (
                <tr key={u.key} data-unit={u.key} data-position={u.position}>
                  <th scope="row">{u.name}</th>
                  <td className="num">{formatRate(u.rate)}</td>
                  <td className="num">
                    {formatCount(u.numerator)} of {formatCount(u.denominator)}
                  </td>
                  <td>{data.centre === null ? "—" : POSITION_WORDS[u.position]}</td>
                </tr>
              ))}
              {data.leftOut.map((u) => (
                <tr key={u.key} data-unit={u.key} data-position={u.reason}>
                  <th scope="row">{u.name}</th>
                  <td className="num">{u.reason === "hidden" ? "Hidden (small numbers)" : "Data not available"}</td>
                  <td className="num">—</td>
                  <td>not plotted</td>
                </tr>
              ))}
            </tbody>
          </table>
        </ScrollArea>
      }
    >
      <FunnelPlot data={data} label={`${title}: funnel plot of rate against denominator with 95% and 99.8% limits`} testId={testId} />
    </ChartFrame>
  );
}

/** The Anhøj verdict of a control chart in a sentence. */
export function runsWords(data: SpcChartData): string {
  const runs = data.runs;
  if (!runs || runs.useful === 0) return "";
  const longRun = runs.longestRun > runs.longestRunLimit;
  const fewCrossings = runs.crossings < runs.crossingsLimit;
  if (!longRun && !fewCrossings)
    return `No shift: the longest run on one side of the centre is ${runs.longestRun} months (a signal needs more than ${runs.longestRunLimit}), and the line crosses the centre ${runs.crossings} times (fewer than ${runs.crossingsLimit} would signal).`;
  return [
    longRun ? `Shift: ${runs.longestRun} months in a row on one side of the centre (more than ${runs.longestRunLimit} signals; marked).` : null,
    fewCrossings ? `Shift: the line crosses the centre only ${runs.crossings} times (fewer than ${runs.crossingsLimit} signals).` : null,
  ]
    .filter(Boolean)
    .join(" ");
}

export function SpcPanel({ data, title, testId, measure, subject }: { data: SpcChartData; title: string; testId: string; measure: MeasureKey; subject: string }) {
  const outside = data.months.filter((m) => m.outside).map((m) => formatMonth(m.month));
  return (
    <ChartFrame
      title={title}
      testId={testId}
      measure={measure}
      empty={data.centre === null}
      emptyReason={data.missing ? `No control chart: ${data.missing}.` : undefined}
      note={
        <>
          {subject}&apos;s monthly rate as a Laney p′ chart: the centre line is the rate of the complete months, the limits (3 sigma, widened by σz
          {data.sigmaZ !== null ? ` = ${data.sigmaZ.toFixed(2)}` : ""} for the spread between months) change with each month&apos;s denominator. Provisional months
          (claims still arriving) are shaded and hollow, and left out of the centre and limits.{" "}
          <span data-testid={`${testId}-signals`}>
            {outside.length ? `Beyond the limits: ${outside.join(", ")}. ` : "No month beyond the limits. "}
            {runsWords(data)}
          </span>
        </>
      }
      table={
        <ScrollArea label={title}>
          <table data-testid={`${testId}-table`}>
            <caption>{title}: each month against the control limits</caption>
            <thead>
              <tr>
                <th scope="col">Month</th>
                <th scope="col" className="num">
                  Rate
                </th>
                <th scope="col" className="num">
                  Lower limit
                </th>
                <th scope="col" className="num">
                  Upper limit
                </th>
                <th scope="col">Reading</th>
              </tr>
            </thead>
            <tbody>
              {data.months.map((m) => (
                <tr key={m.month} data-month={m.month} data-state={m.state}>
                  <th scope="row">{formatMonth(m.month)}</th>
                  <td className="num">{m.rate === null ? "—" : `${formatRate(m.rate)} (${formatCount(m.numerator ?? 0)} of ${formatCount(m.denominator ?? 0)})`}</td>
                  <td className="num">{m.rate === null || m.lower === null ? "—" : formatRate(m.lower)}</td>
                  <td className="num">{m.rate === null || m.upper === null ? "—" : formatRate(m.upper)}</td>
                  <td>{spcMonthWords(m)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </ScrollArea>
      }
    >
      <SpcChart data={data} label={`${title}: control chart by month with centre line and limits`} testId={testId} />
    </ChartFrame>
  );
}
