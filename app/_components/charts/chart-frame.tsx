import type { ReactNode } from "react";
import type { MeasureKey } from "@/lib/measures/types";
import { DefinitionLink } from "../definition-link";
import { ChartDownload } from "./chart-download";
import "./comparison.css";

/** The frame of every chart: its title, the definition of its measure one click away, a note on
 *  how to read it, the "Data not available" state (when nothing would be drawn), the table of
 *  the same numbers (rendered by the server page, with a caption) and the same numbers as CSV. */
export function ChartFrame({
  title,
  testId,
  empty,
  emptyReason,
  table,
  children,
  note,
  download,
  measure,
}: {
  title: string;
  testId: string;
  /** Nothing to draw: no point, no bar (the table may still list empty or hidden rows). */
  empty: boolean;
  /** Why there is nothing to draw, when it is not simply an empty selection. */
  emptyReason?: string;
  table: ReactNode;
  children: ReactNode;
  note?: ReactNode;
  /** The same numbers as a CSV report (SPEC section 7). */
  download?: string;
  measure?: MeasureKey;
}) {
  return (
    <section className="panel chart-panel" data-testid={testId} aria-labelledby={`${testId}-title`}>
      <div className="panel-heading">
        <h2 id={`${testId}-title`}>{title}</h2>
        {measure ? <DefinitionLink measure={measure} /> : null}
      </div>
      {note ? <p className="chart-note">{note}</p> : null}
      {empty ? (
        <div className="not-available" data-testid={`${testId}-empty`}>
          <p>Data not available</p>
          {emptyReason ? <p className="not-available-reason">{emptyReason}</p> : null}
        </div>
      ) : (
        <div className="chart-area">{children}</div>
      )}
      <div className="chart-actions">
        <details className="data-table">
          <summary>Table of these numbers</summary>
          {table}
        </details>
        {empty ? null : <ChartDownload title={title} />}
        {download ? (
          <a className="download secondary small" href={download} data-testid={`${testId}-csv`}>
            Download CSV<span className="visually-hidden"> of {title}</span>
          </a>
        ) : null}
      </div>
    </section>
  );
}
