import type { ReactNode } from "react";

/** The common frame of a chart: its title, the "Data not available" state, and the accessible
 *  table of the same numbers (rendered by the server page and passed in as `table`). */
export function ChartFrame({
  title,
  testId,
  empty,
  table,
  children,
  note,
  download,
}: {
  title: string;
  testId: string;
  empty: boolean;
  table: ReactNode;
  children: ReactNode;
  note?: ReactNode;
  /** The same numbers as a CSV report (SPEC section 7). */
  download?: string;
}) {
  return (
    <section className="panel chart-panel" data-testid={testId} aria-label={title}>
      <h2>{title}</h2>
      {note ? <p className="chart-note">{note}</p> : null}
      {empty ? (
        <p className="not-available" data-testid={`${testId}-empty`}>
          Data not available
        </p>
      ) : (
        <div className="chart-area" aria-hidden="true">
          {children}
        </div>
      )}
      <details className="data-table">
        <summary>Table of these numbers</summary>
        {table}
      </details>
      {download ? (
        <a className="download secondary small" href={download} data-testid={`${testId}-csv`}>
          Download CSV
        </a>
      ) : null}
    </section>
  );
}
